# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Train and evaluate a tiny model of each toolbox on generated toy data.

A smoke run of the whole stack (mmdet, mmseg, mmpretrain through this
project's tools) in about a minute on the CPU::

    python tools/toy_demo.py [--data-root data/toy] [--work-dir work_dirs/toy]
        [--max-iters N]
"""
import argparse
import os.path as osp
import sys
from typing import Optional

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import projects  # noqa: E402,F401  applies the compatibility fixes
from mmengine.runner import Runner  # noqa: E402

from projects.engine import load_config  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TOY_CONFIGS = {
    'mmpretrain': 'configs/toy/resnet_tiny_toy-cls.py',
    'mmdet': 'configs/toy/retinanet_tiny_toy-det.py',
    'mmseg': 'configs/toy/fcn_tiny_toy-seg.py',
}


def _make_data(data_root: str) -> None:
    sys.path.insert(0, osp.join(ROOT, 'tools', 'misc'))
    from make_toy_data import make_toy_data
    make_toy_data(data_root)


def _iteration_options(max_iters: int) -> dict:
    """Train ``max_iters`` iterations, then validate and save once."""
    return {
        'train_cfg.max_iters': max_iters,
        'train_cfg.val_interval': max_iters,
        'default_hooks.checkpoint.interval': max_iters,
    }


def _data_root_options(toolbox: str, data_root: str) -> dict:
    sub = dict(mmpretrain='cls', mmdet='det', mmseg='seg')[toolbox]
    root = osp.join(data_root, sub) + '/'
    options = {
        f'{split}_dataloader.dataset.data_root': root
        for split in ('train', 'val', 'test')
    }
    if toolbox == 'mmdet':
        options['val_evaluator.ann_file'] = root + 'val.json'
        options['test_evaluator.ann_file'] = root + 'val.json'
    return options


def run(toolbox: str,
        data_root: str,
        work_dir: str,
        max_iters: Optional[int] = None) -> dict:
    """Train the toy config of ``toolbox`` (for ``max_iters`` iterations
    when given) and return its test metrics."""
    options = _data_root_options(toolbox, data_root)
    if max_iters is not None:
        options.update(_iteration_options(max_iters))
    cfg = load_config(osp.join(ROOT, TOY_CONFIGS[toolbox]), options)
    cfg.work_dir = osp.join(work_dir, toolbox)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.test()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default='data/toy')
    parser.add_argument('--work-dir', default='work_dirs/toy')
    parser.add_argument('--max-iters', type=int, default=None,
                        help='override the configs\' iterations')
    args = parser.parse_args()
    if args.max_iters is not None and args.max_iters < 1:
        parser.error(f'--max-iters must be >= 1, got {args.max_iters}')
    if not osp.isdir(args.data_root):
        _make_data(args.data_root)
    results = {
        tb: run(tb, args.data_root, args.work_dir, args.max_iters)
        for tb in TOY_CONFIGS
    }
    print('\n| toolbox | config | metrics |\n| --- | --- | --- |')
    for toolbox, metrics in results.items():
        shown = ', '.join(f'{k}: {float(v):.4f}' for k, v in metrics.items()
                          if np.ndim(v) == 0)
        print(f'| {toolbox} | {TOY_CONFIGS[toolbox]} | {shown} |')


if __name__ == '__main__':
    main()
