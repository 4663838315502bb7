# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Search the NAD paths of classes of a trained mmpretrain classifier.

`Architecture Disentanglement for Deep Neural Networks
<https://arxiv.org/abs/2003.13268>`_: per class, gates at the chosen layers
are learned on that class's training images (see
``projects.nad.NADPathSearch``)::

    python tools/analysis/nad_search.py CONFIG CHECKPOINT --classes 0-999 \\
        --work-dir work_dirs/nad_r50 --positions resnet50 --beta 0.02

Settings come from the command line, then from the config's ``nad`` dict
(``configs/nad/*.py``), then the official defaults (lr 0.1, 21 epochs,
batch 16, seed 233). The images are the config's ``train_dataloader``
dataset, with ``nad.pipeline`` as its pipeline when the config has one.
Rerunning the same command resumes: finished classes are skipped and an
unfinished one continues from its last saved epoch.
"""
import argparse
import os
import os.path as osp
import sys
import time

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import DictAction  # noqa: E402
from mmengine.logging import print_log  # noqa: E402

# yapf: disable
from projects.nad import GATE_PRESETS, NADGates, NADPathSearch  # noqa: E402
from projects.nad.analysis_utils import (build_split_dataset,  # noqa: E402
                                         load_classifier, parse_classes,
                                         tool_logger)
# yapf: enable

DEFAULTS = dict(lr=0.1, epochs=21, batch_size=16, seed=233)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='the classifier config')
    parser.add_argument('checkpoint', help='the trained weights')
    parser.add_argument('--classes',
                        required=True,
                        help='classes, e.g. 0-999 or 0,3,7')
    parser.add_argument('--work-dir',
                        required=True,
                        help='where the per-class, per-epoch gates go')
    parser.add_argument(
        '--positions',
        nargs='+',
        help='a preset (resnet50, vgg16, densenet121) or module names; '
        'default: the config\'s nad.positions')
    parser.add_argument('--beta', type=float, help='sparsity weight')
    parser.add_argument('--lr', type=float)
    parser.add_argument('--epochs', type=int)
    parser.add_argument('--batch-size', type=int)
    parser.add_argument('--seed', type=int)
    parser.add_argument('--num-workers', type=int, default=0)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options',
                        nargs='+',
                        action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def search_settings(args: argparse.Namespace, nad_cfg: dict) -> dict:
    """beta, lr, epochs, batch_size and seed: command line > config's
    ``nad`` > official defaults (beta has no default)."""
    settings = {}
    for key in ('beta', 'lr', 'epochs', 'batch_size', 'seed'):
        value = getattr(args, key)
        if value is None:
            value = nad_cfg.get(key, DEFAULTS.get(key))
        if value is None:
            raise ValueError(f'NAD search: no {key}: give --{key} or set '
                             f'nad.{key} in the config')
        settings[key] = value
    return settings


def positions_from(args: argparse.Namespace, nad_cfg: dict):
    """The preset name or the module names to gate."""
    positions = args.positions or nad_cfg.get('positions')
    if not positions:
        raise ValueError('NAD search: no gate positions: give --positions '
                         'or set nad.positions in the config')
    if (isinstance(positions, (list, tuple)) and len(positions) == 1
            and positions[0] in GATE_PRESETS):
        return positions[0]
    return positions


def main(argv=None) -> None:
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    tool_logger('nad_search', args.work_dir)
    classes = parse_classes(args.classes)
    cfg, model = load_classifier(args.config, args.checkpoint, args.device,
                                 args.cfg_options)
    nad_cfg = dict(cfg.get('nad', {}))
    settings = search_settings(args, nad_cfg)
    gates = NADGates(positions_from(args, nad_cfg),
                     probe_size=int(nad_cfg.get('probe_size', 64)))
    dataset = build_split_dataset(cfg, 'train', nad_cfg.get('pipeline'))
    print_log(
        f'NAD search: {len(classes)} classes, {len(dataset)} training '
        f'images, settings {settings}',
        logger='current')
    engine = NADPathSearch(model,
                           gates,
                           dataset,
                           args.work_dir,
                           num_workers=args.num_workers,
                           **settings)
    print_log(
        f'NAD search: {len(gates.positions)} gates, channels '
        f'{[g.channels for g in gates.gates]}',
        logger='current')
    start = time.time()
    engine.run(classes)
    print_log(
        f'NAD search: done in {time.time() - start:.1f} s; gates in '
        f'{args.work_dir}',
        logger='current')


if __name__ == '__main__':
    main()
