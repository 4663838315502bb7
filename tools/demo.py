# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The main job: train a tiny ACFD from scratch on generated cartoon faces.

1. generates the demo data (``tools/misc/make_cartoon_faces.py``) if missing;
2. trains ``configs/acfd/acfd_tiny_demo.py`` on the CPU with the runner
   ``tools/train.py`` builds (:func:`projects.engine.build_runner`), stopping
   early if the time budget is spent (then it saves the checkpoint itself,
   since the runner saves only at the scheduled iterations);
3. evaluates AP50 on the held-out split (iCartoonFace protocol), prints the
   metrics and the leaderboard row, and saves a picture of detections::

    python tools/demo.py [--budget-min 12] [--work-dir work_dirs/acfd_demo]

``--max-iters``, ``--num-train`` and ``--num-val`` shrink the run (the test
suite runs it end to end in seconds).
"""
import argparse
import os.path as osp
import subprocess
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import projects  # noqa: E402,F401  applies the compatibility fixes
import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from projects.engine import build_runner, load_config  # noqa: E402
from projects.facedet.leaderboard import (format_markdown,  # noqa: E402
                                          leaderboard_row)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'configs', 'acfd', 'acfd_tiny_demo.py')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default='data/demo/cartoon_faces')
    parser.add_argument('--work-dir', default='work_dirs/acfd_demo')
    parser.add_argument('--budget-min', type=float, default=12.0,
                        help='training time budget in minutes')
    parser.add_argument('--max-iters', type=int, default=None,
                        help='override the config\'s iterations')
    parser.add_argument('--num-train', type=int, default=600,
                        help='training images to generate when the data '
                        'is missing')
    parser.add_argument('--num-val', type=int, default=150,
                        help='held-out images to generate when the data '
                        'is missing')
    args = parser.parse_args()
    if args.budget_min <= 0:
        parser.error(f'--budget-min must be positive, got {args.budget_min}')
    if args.max_iters is not None and args.max_iters < 1:
        parser.error(f'--max-iters must be >= 1, got {args.max_iters}')
    for name in ('num_train', 'num_val'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1, got '
                         f'{getattr(args, name)}')
    return args


def make_data(data_root: str, num_train: int, num_val: int) -> None:
    if osp.isfile(osp.join(data_root, 'val.csv')):
        print(f'demo data found at {data_root}')
        return
    subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'misc', 'make_cartoon_faces.py'), data_root,
        '--num-train',
        str(num_train), '--num-val',
        str(num_val)
    ],
                   check=True)


def draw_detections(runner: Runner, out_file: str, num: int = 6,
                    score_thr: float = 0.3) -> None:
    """Draw predictions (green) and ground truth (red) on validation
    images, side by side in one picture."""
    dataset = runner.test_dataloader.dataset
    model = runner.model
    model.eval()
    tiles = []
    for idx in range(min(num, len(dataset))):
        item = dataset[idx]
        batch = dict(inputs=[item['inputs']], data_samples=[
            item['data_samples']])
        with torch.no_grad():
            pred = model.test_step(batch)[0].pred_instances
        img = item['inputs'].permute(1, 2, 0).numpy().copy()
        for box in item['data_samples'].gt_instances.bboxes.tensor.tolist():
            cv2.rectangle(img, tuple(int(v) for v in box[:2]),
                          tuple(int(v) for v in box[2:]), (0, 0, 255), 1)
        keep = pred.scores >= score_thr
        for box, score in zip(pred.bboxes[keep].tolist(),
                              pred.scores[keep].tolist()):
            cv2.rectangle(img, tuple(int(v) for v in box[:2]),
                          tuple(int(v) for v in box[2:]), (0, 255, 0), 1)
        tiles.append(cv2.resize(img, (320, 320)))
    cv2.imwrite(out_file, np.concatenate(tiles, axis=1))


def main() -> None:
    args = parse_args()
    make_data(args.data_root, args.num_train, args.num_val)
    cfg = load_config(CONFIG)
    cfg.work_dir = args.work_dir
    root = args.data_root.rstrip('/') + '/'
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = root
    if args.max_iters is not None:
        cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = args.max_iters
        cfg.default_hooks.checkpoint.interval = args.max_iters
    cfg.custom_hooks = cfg.get('custom_hooks', []) + [
        dict(type='TrainTimeBudgetHook', budget_s=args.budget_min * 60)
    ]
    cfg.launcher = 'none'
    runner = build_runner(cfg)
    runner.train()
    if runner.iter < cfg.train_cfg.max_iters:
        runner.save_checkpoint(args.work_dir, f'iter_{runner.iter}.pth')
    metrics = runner.test()
    picture = osp.join(args.work_dir, 'demo_detections.png')
    draw_detections(runner, picture)
    model = runner.model.module if hasattr(runner.model, 'module') else \
        runner.model
    row = leaderboard_row(f'ACFD tiny ({runner.iter} iters, CPU)', metrics,
                          model, (160, 160))
    print('\nResults on the held-out split '
          f'({len(runner.test_dataloader.dataset)} images):')
    for key, value in metrics.items():
        print(f'  {key}: {value:.4f}')
    print('\nLeaderboard row:\n' + format_markdown([row]))
    print(f'\nDetections (green) and ground truth (red): {picture}')
    print(f'Checkpoint: {osp.join(args.work_dir, f"iter_{runner.iter}.pth")}')


if __name__ == '__main__':
    main()
