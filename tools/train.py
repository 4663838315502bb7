# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Train a model of any of the three toolboxes from a config.

The registry scope comes from the config's ``default_scope`` (``mmdet``,
``mmseg`` or ``mmpretrain``), so one script serves them all::

    python tools/train.py configs/acfd/acfd_tiny_demo.py
    python tools/train.py CONFIG --resume            # latest checkpoint
    torchrun --nproc_per_node 2 tools/train.py CONFIG --launcher pytorch
"""
import argparse
import os
import os.path as osp
import sys

# Run from a checkout without installing: make ``projects`` importable.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import projects  # noqa: E402,F401  applies the compatibility fixes
import torch  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.logging import print_log  # noqa: E402
from mmengine.registry import RUNNERS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from projects.engine import (load_config, resolve_work_dir,  # noqa: E402
                             setup_cpu_distributed)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training (needs CUDA)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual batch size')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or, without a value, from '
        'the latest checkpoint in the work dir')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value (e.g. '
        'train_cfg.max_iters=10 model.backbone.depth=18)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local_rank, torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def _enable_amp(cfg) -> None:
    if not torch.cuda.is_available():
        # mmengine 0.10.7's AmpOptimWrapper asserts a GPU/NPU/MLU device.
        raise RuntimeError('--amp needs a CUDA device: mmengine\'s '
                           'AmpOptimWrapper does not train on the CPU')
    optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if optim_wrapper == 'AmpOptimWrapper':
        print_log('AMP training is already enabled in the config.',
                  logger='current')
        return
    if optim_wrapper != 'OptimWrapper':
        raise ValueError(
            f'--amp needs optim_wrapper.type to be OptimWrapper, but the '
            f'config sets {optim_wrapper!r}')
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    cfg.optim_wrapper.loss_scale = 'dynamic'


def _apply_resume(cfg, resume: str) -> None:
    if resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    else:
        if not osp.isfile(resume):
            raise FileNotFoundError(f'--resume: checkpoint {resume} not found')
        cfg.resume = True
        cfg.load_from = resume


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    cfg.work_dir = resolve_work_dir(cfg, args.config, args.work_dir)
    if args.amp:
        _enable_amp(cfg)
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in \
                cfg.auto_scale_lr:
            raise KeyError('--auto-scale-lr needs auto_scale_lr.'
                           'base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    if args.resume is not None:
        _apply_resume(cfg, args.resume)
    setup_cpu_distributed(cfg, args.launcher)

    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        runner = RUNNERS.build(cfg)
    runner.train()


if __name__ == '__main__':
    main()
