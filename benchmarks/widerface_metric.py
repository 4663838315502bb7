# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Time ``tools/eval_widerface.py`` (the whole command, in a fresh
interpreter) and the vectorised WIDER FACE protocol against the reference
evaluator: a per-image, per-threshold loop of the same protocol as the
official code runs it, on the full val ground truth.

Predictions are generated from the ground truth (jittered faces, missed
faces and random false positives, fixed seed) and written as a prediction
folder, so the run needs only the official .mat files. The last line is the
ratio reference loop / whole command (target >= 10); the reference is timed
in this process without reading any file, which favours it::

    python benchmarks/widerface_metric.py --gt-dir ../shared/data/widerface
"""
import argparse
import os
import os.path as osp
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Sequence

import numpy as np

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

from projects.faceeval import (load_widerface_gt,  # noqa: E402
                               normalize_scores, voc_area_ap, widerface_iou,
                               widerface_pr_curves, write_prediction_file)


def loop_widerface_ap(preds: Sequence[Optional[np.ndarray]],
                      gt_boxes: Sequence[np.ndarray],
                      keep: Dict[str, Sequence[np.ndarray]],
                      iou_thr: float = 0.5,
                      num_thresholds: int = 1000) -> Dict[str, float]:
    """The protocol written as the official code runs it: one prediction
    at a time, then one threshold at a time, per image."""
    preds = normalize_scores(preds)
    aps = {}
    for setting, masks in keep.items():
        pr = np.zeros((num_thresholds, 2))
        count_face = 0
        for pred, gt, kept in zip(preds, gt_boxes, masks):
            count_face += int(kept.sum())
            if pred is None or len(pred) == 0 or len(gt) == 0:
                continue
            pred = pred[np.argsort(-pred[:, 4], kind='stable')]
            p_xyxy = pred[:, :4].copy()
            p_xyxy[:, 2:] += p_xyxy[:, :2]
            g_xyxy = gt[:, :4].astype(np.float64)
            g_xyxy[:, 2:] += g_xyxy[:, :2]
            overlaps = widerface_iou(p_xyxy, g_xyxy)
            recall_list = np.zeros(len(gt))
            proposal = np.ones(len(pred))
            pred_recall = np.zeros(len(pred))
            for h in range(len(pred)):
                j = overlaps[h].argmax()
                if overlaps[h, j] >= iou_thr:
                    if not kept[j]:
                        recall_list[j] = -1
                        proposal[h] = -1
                    elif recall_list[j] == 0:
                        recall_list[j] = 1
                pred_recall[h] = (recall_list == 1).sum()
            for t in range(num_thresholds):
                thresh = 1 - (t + 1) / num_thresholds
                above = np.where(pred[:, 4] >= thresh)[0]
                if len(above):
                    last = above[-1]
                    pr[t, 0] += (proposal[:last + 1] == 1).sum()
                    pr[t, 1] += pred_recall[last]
        precision = np.divide(pr[:, 1], pr[:, 0], out=np.zeros(len(pr)),
                              where=pr[:, 0] > 0)
        recall = pr[:, 1] / max(count_face, 1)
        aps[setting] = voc_area_ap(recall, precision)
    return aps


def synthetic_predictions(gt_boxes: Sequence[np.ndarray],
                          seed: int = 0) -> List[np.ndarray]:
    """Per image: 80% of the faces found with jitter, plus false positives."""
    rng = np.random.default_rng(seed)
    preds = []
    for gt in gt_boxes:
        found = gt[rng.random(len(gt)) < 0.8]
        jitter = rng.normal(0, 0.1, found.shape) * np.maximum(
            found[:, 2:4].repeat(2, axis=1), 1)
        boxes = found + jitter
        fp = rng.uniform(0, 1000, (rng.integers(0, 20), 4))
        fp[:, 2:] = fp[:, 2:] / 10 + 4
        boxes = np.vstack([boxes, fp])
        scores = np.concatenate(
            [rng.uniform(0.3, 1, len(found)),
             rng.uniform(0, 0.7, len(fp))])
        preds.append(np.hstack([boxes, scores[:, None]]))
    return preds


def time_command(pred_dir: str, gt_dir: str, repeats: int) -> List[float]:
    """Wall seconds of each run of the whole evaluation command."""
    command = [
        sys.executable,
        osp.join(REPO, 'tools', 'eval_widerface.py'), '--pred', pred_dir,
        '--gt', gt_dir
    ]
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
    return seconds


def _load() -> str:
    return ' '.join(f'{x:.2f}' for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--gt-dir', default='../shared/data/widerface')
    parser.add_argument('--loop-images', type=int, default=None,
                        help='time the loop on the first N images only and '
                        'extrapolate (default: all images)')
    parser.add_argument('--command-repeats', type=int, default=3,
                        help='runs of the command before and as many after '
                        'the loop; their median is reported')
    args = parser.parse_args()
    print(f'load average {_load()} (1, 5, 15 min)')
    gt = load_widerface_gt(args.gt_dir)
    preds = synthetic_predictions(gt.boxes)
    with tempfile.TemporaryDirectory() as pred_dir:
        for event, name, pred in zip(gt.events, gt.names, preds):
            write_prediction_file(pred_dir, event, name, pred)
        command = time_command(pred_dir, args.gt_dir, args.command_repeats)
        start = time.perf_counter()
        curves = widerface_pr_curves(preds, gt.boxes, gt.keep)
        fast = time.perf_counter() - start
        n = args.loop_images or len(gt.boxes)
        start = time.perf_counter()
        loop = loop_widerface_ap(preds[:n], gt.boxes[:n],
                                 {k: v[:n]
                                  for k, v in gt.keep.items()})
        slow = (time.perf_counter() - start) * len(gt.boxes) / n
        command += time_command(pred_dir, args.gt_dir, args.command_repeats)
    whole = statistics.median(command)
    print(f'images: {len(gt.boxes)}, predictions: '
          f'{sum(len(p) for p in preds)}')
    print('vectorised AP: ' + ', '.join(
        f'{k} {c.ap:.4f}' for k, c in curves.items()))
    if n == len(gt.boxes):
        print('loop AP:       ' + ', '.join(
            f'{k} {v:.4f}' for k, v in loop.items()))
    extrapolated = ' (extrapolated)' if n < len(gt.boxes) else ''
    print(f'vectorised {fast:.3f} s, loop {slow:.3f} s{extrapolated}, '
          f'ratio loop/vectorised {slow / fast:.1f}x')
    print('whole command, s: ' + ', '.join(f'{t:.2f}' for t in command) +
          f' (median {whole:.2f}); load average {_load()}')
    print(f'ratio reference loop / whole eval_widerface.py command '
          f'{slow / whole:.1f}x (target >= 10)')


if __name__ == '__main__':
    main()
