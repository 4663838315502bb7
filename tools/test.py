# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Test (evaluate) a checkpoint with a config of any of the three toolboxes.

The registry scope comes from the config's ``default_scope``::

    python tools/test.py CONFIG CHECKPOINT --out results.pkl --show-dir vis
    bash tools/dist_test.sh CONFIG CKPT 2            # torchrun, 2 processes
"""
import argparse
import os.path as osp
import sys

# Run from a checkout without installing: make ``projects`` importable.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import projects  # noqa: E402,F401  applies the compatibility fixes
from mmengine.config import Config  # noqa: E402
from mmengine.evaluator import DumpResults  # noqa: E402

from projects.engine import (add_common_args, build_runner,  # noqa: E402
                             prepare_config, shutdown_distributed)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        type=str,
        help='dump predictions to a pickle file (.pkl) for offline evaluation')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory where painted images will be saved')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    add_common_args(parser)
    args = parser.parse_args()
    if args.out is not None and not args.out.endswith(('.pkl', '.pickle')):
        parser.error(f'--out must be a .pkl or .pickle file, got {args.out}')
    return args


def enable_visualization(cfg: Config, show: bool, show_dir: str,
                         wait_time: float) -> None:
    """Turn on the toolbox's visualization hook for ``--show``/``--show-dir``.

    The three toolboxes name the hook's switches differently; the config's
    ``default_scope`` tells which one this is.
    """
    hooks = cfg.get('default_hooks', {})
    if 'visualization' not in hooks:
        raise KeyError('--show/--show-dir need default_hooks.visualization '
                       'in the config')
    hook = hooks['visualization']
    scope = cfg.get('default_scope', 'mmengine')
    hook['show'] = show
    hook['wait_time'] = wait_time
    if scope == 'mmpretrain':
        hook['enable'] = True
        if show_dir:
            hook['out_dir'] = show_dir
    else:
        hook['draw'] = True
        if show_dir and scope == 'mmseg':
            cfg.visualizer['save_dir'] = show_dir
        elif show_dir:
            hook['test_out_dir'] = show_dir


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} not found')
    cfg = prepare_config(args)
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        enable_visualization(cfg, args.show, args.show_dir, args.wait_time)
    runner = build_runner(cfg)
    if args.out is not None:
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    runner.test()
    shutdown_distributed()


if __name__ == '__main__':
    main()
