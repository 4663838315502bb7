# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The NAD demo on generated shapes, end to end on the CPU.

Writes the 4 shape classes (if missing), trains the small ResNet of
``configs/nad/nad_resnet18-tiny_shapes-demo.py`` through tools/train.py,
searches every class's path, and measures the hit rate on 2x2 mosaics and
the sub-architecture similarity::

    python tools/misc/nad_demo.py --work-dir work_dirs/nad_demo

Printed: per class the original and the gated (path-only) accuracy on the
class's validation images and the open-channel fraction; the hit rate per
layer against the 25 % chance level; the similarity and misclassification
analysis; the done-when targets.
"""
import argparse
import os
import os.path as osp
import re
import subprocess
import sys
import time

import numpy as np
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
sys.path.insert(0, osp.join(REPO, 'tools', 'misc'))

import nad_hit_rate  # noqa: E402
import nad_search  # noqa: E402
import nad_similarity  # noqa: E402
from make_nad_shapes import SHAPE_CLASSES, make_shapes  # noqa: E402

# yapf: disable
from projects.nad import NADGates, load_paths  # noqa: E402
from projects.nad.analysis_utils import (build_split_dataset,  # noqa: E402
                                         load_classifier, path_accuracy)
# yapf: enable

CFG = 'configs/nad/nad_resnet18-tiny_shapes-demo.py'


def data_options(data: str) -> list:
    root = osp.abspath(data) + '/'
    return [
        f'{loader}.dataset.data_root={root}'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]


def train(data: str, work_dir: str, epochs: int) -> str:
    """Train the classifier; returns its last checkpoint."""
    cmd = [
        sys.executable, 'tools/train.py', CFG, '--work-dir', work_dir,
        '--cfg-options', *data_options(data), f'train_cfg.max_epochs={epochs}',
        f'train_cfg.val_interval={epochs}',
        f'default_hooks.checkpoint.interval={epochs}',
        f'param_scheduler.0.T_max={epochs}'
    ]
    env = dict(os.environ, OMP_NUM_THREADS=str(torch.get_num_threads()))
    proc = subprocess.run(cmd,
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          env=env)
    if proc.returncode != 0:
        raise RuntimeError(f'training failed:\n{proc.stderr[-3000:]}')
    found = re.findall(r'accuracy/top1: ([0-9.]+)', proc.stdout + proc.stderr)
    print(f'classifier: val top-1 {found[-1] if found else "?"} % after '
          f'{epochs} epochs')
    return osp.join(work_dir, f'epoch_{epochs}.pth')


def gated_accuracies(ckpt: str, data: str, path_dir: str, epoch: int) -> list:
    """Per class: (original acc, gated acc, open fraction) on val."""
    options = dict(o.split('=', 1) for o in data_options(data))
    cfg, model = load_classifier(CFG, ckpt, 'cpu', options)
    paths = load_paths(path_dir, epoch)
    first = next(iter(paths.values()))
    gates = NADGates(list(first),
                     channels=[int(m.shape[1]) for m in first.values()])
    gates.attach(model)
    dataset = build_split_dataset(cfg, 'val')
    rows = []
    for label, masks in sorted(paths.items()):
        orig, gated = path_accuracy(model, gates, dataset, label, masks)
        gates.load_mask_state(masks)
        rows.append((label, orig, gated, gates.open_fraction()))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default='data/nad_shapes')
    parser.add_argument('--work-dir', default='work_dirs/nad_demo')
    parser.add_argument('--train-images',
                        type=int,
                        default=120,
                        help='per class')
    parser.add_argument('--val-images', type=int, default=40, help='per class')
    parser.add_argument('--train-epochs', type=int, default=12)
    parser.add_argument('--search-epochs', type=int, default=21)
    parser.add_argument('--beta',
                        type=float,
                        default=None,
                        help='default: the config\'s nad.beta')
    parser.add_argument('--mosaics', type=int, default=100)
    parser.add_argument(
        '--threads',
        type=int,
        default=1,
        help='torch threads (the tiny network runs fastest on one, most '
        'of all on a busy machine)')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.time()
    if not osp.isdir(osp.join(args.data, 'train')):
        make_shapes(args.data, args.train_images, args.val_images, size=32)
    ckpt = train(args.data, osp.join(args.work_dir, 'train'),
                 args.train_epochs)
    t_train = time.time() - start
    path_dir = osp.join(args.work_dir, 'paths')
    eval_epoch = args.search_epochs - 1 if args.search_epochs > 1 else 1
    search = [
        CFG, ckpt, '--classes', f'0-{len(SHAPE_CLASSES) - 1}', '--work-dir',
        path_dir, '--epochs',
        str(args.search_epochs), '--cfg-options', *data_options(args.data)
    ]
    if args.beta is not None:
        search[6:6] = ['--beta', str(args.beta)]
    nad_search.main(search)
    t_search = time.time() - start - t_train
    common = [CFG, ckpt, path_dir, '--epoch', str(eval_epoch)]
    hits = nad_hit_rate.main(common + [
        '--num',
        str(args.mosaics), '--input-size', '64', '--tile', '32',
        '--cfg-options', *data_options(args.data)
    ])
    # 4 classes: the top-1 similar class (chance 1/3) is the informative k
    sim = nad_similarity.main(
        common + ['--topk', '1', '--cfg-options', *data_options(args.data)])
    rows = gated_accuracies(ckpt, args.data, path_dir, eval_epoch)
    total = time.time() - start

    print('\n==== NAD demo (generated shapes, CPU) ====')
    print(f'time: train {t_train:.0f} s, search {t_search:.0f} s, '
          f'total {total:.0f} s')
    print('class      orig acc  gated acc  kept   open channels')
    for label, orig, gated, open_ in rows:
        kept = gated / orig if orig > 0 else float('nan')
        print(f'{SHAPE_CLASSES[label]:10s} {orig:8.3f}  {gated:9.3f}  '
              f'{kept:5.3f}  {open_:.3f}')
    kept = np.mean([g / o for _, o, g, _ in rows if o > 0])
    open_mean = np.mean([r[3] for r in rows])
    print('hit rate per layer (chance 0.25):')
    for name, mean, std in zip(hits['layers'], hits['mean'], hits['std']):
        print(f'  {name:22s} {mean:.3f} +- {std:.3f}')
    mis = sim['misclassification']
    print(
        f'similarity: mean off-diagonal {sim["mean_off_diagonal"]:.3f}; '
        f'misclassified to a top-{mis["k"]} similar class '
        f'{mis["to_similar"]}/{mis["analysed"]} (chance {mis["chance"]:.2f})')
    overlap = sim['prediction_overlap']
    print(f'most similar path = class the network confuses most with: '
          f'{overlap["mean_overlap"]:.2f} of the classes (chance '
          f'{overlap["chance"]:.2f})')
    best_hit = max(hits['mean'])
    print('done-when targets:')
    print(f'  gated accuracy kept {kept:.3f} (>= 0.90): '
          f'{"met" if kept >= 0.9 else "NOT met"}')
    print(f'  open channels {open_mean:.3f} (< 0.60): '
          f'{"met" if open_mean < 0.6 else "NOT met"}')
    print(f'  hit rate last layer {hits["mean"][-1]:.3f}, best layer '
          f'{best_hit:.3f} (> 0.25): '
          f'{"met" if hits["mean"][-1] > 0.25 else "NOT met"}')


if __name__ == '__main__':
    main()
