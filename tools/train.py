# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Train a model of any of the three toolboxes from a config.

The registry scope comes from the config's ``default_scope`` (``mmdet``,
``mmseg`` or ``mmpretrain``), so one script serves them all::

    python tools/train.py configs/acfd/acfd_tiny_demo.py
    python tools/train.py CONFIG --resume            # latest checkpoint
    bash tools/dist_train.sh CONFIG 2                # torchrun, 2 processes
"""
import argparse
import os.path as osp
import sys

# Run from a checkout without installing: make ``projects`` importable.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import projects  # noqa: E402,F401  applies the compatibility fixes
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.logging import print_log  # noqa: E402

from projects.engine import (add_common_args, build_runner,  # noqa: E402
                             prepare_config, shutdown_distributed)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
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
    add_common_args(parser)
    return parser.parse_args()


def enable_amp(cfg: Config) -> None:
    """Switch the optimizer wrapper to mmengine's ``AmpOptimWrapper``."""
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


def apply_resume(cfg: Config, resume: str) -> None:
    """``--resume``: the latest checkpoint (``auto``) or the given one."""
    cfg.resume = True
    if resume == 'auto':
        cfg.load_from = None
        return
    if not osp.isfile(resume):
        raise FileNotFoundError(f'--resume: checkpoint {resume} not found')
    cfg.load_from = resume


def add_random_state_hook(cfg: Config) -> None:
    """Keep the generators' states in checkpoints (exact ``--resume``)."""
    hooks = cfg.get('custom_hooks', None) or []
    if not any(h.get('type') == 'RandomStateCheckpointHook' for h in hooks):
        cfg.custom_hooks = list(hooks) + [
            dict(type='RandomStateCheckpointHook')
        ]


def main() -> None:
    args = parse_args()
    cfg = prepare_config(args)
    if args.amp:
        enable_amp(cfg)
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise KeyError('--auto-scale-lr needs auto_scale_lr.'
                           'base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    if args.resume is not None:
        apply_resume(cfg, args.resume)
    add_random_state_hook(cfg)
    build_runner(cfg).train()
    shutdown_distributed()


if __name__ == '__main__':
    main()
