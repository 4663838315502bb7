# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Config handling shared by ``tools/train.py`` and ``tools/test.py``."""
import argparse
import os
import os.path as osp
from typing import Optional

import torch.distributed as torch_dist
from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from .cpu_distributed import setup_cpu_distributed


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Load a config file and merge command-line overrides into it.

    Args:
        path (str): The config file.
        cfg_options (dict, optional): ``--cfg-options`` key/value pairs.
            Defaults to None.

    Returns:
        Config: The merged config.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file {path} does not exist')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def resolve_work_dir(cfg: Config, config_path: str,
                     work_dir: Optional[str]) -> str:
    """The work dir: the command line first, then the config, then
    ``./work_dirs/<config name>``, as in the toolboxes' own tools."""
    if work_dir is not None:
        return work_dir
    if cfg.get('work_dir', None) is not None:
        return cfg.work_dir
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Add the flags that train.py and test.py share: ``--work-dir``,
    ``--cfg-options``, ``--launcher`` and ``--local-rank``."""
    parser.add_argument(
        '--work-dir', help='the dir to save logs, checkpoints and metrics')
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


def prepare_config(args: argparse.Namespace) -> Config:
    """Load ``args.config`` with the shared flags applied.

    Sets ``LOCAL_RANK`` when the launcher did not, the launcher, the work
    dir, and the CPU distributed set-up (see :func:`setup_cpu_distributed`).
    """
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    cfg.work_dir = resolve_work_dir(cfg, args.config, args.work_dir)
    return cfg


def build_runner(cfg: Config) -> Runner:
    """Build the runner the config asks for (``runner_type``) or the default
    one, after the CPU distributed set-up when it applies."""
    setup_cpu_distributed(cfg, cfg.launcher)
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)


def shutdown_distributed() -> None:
    """Destroy the default process group, if any, before the interpreter
    exits: a live gloo group can abort the process at shutdown."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()
