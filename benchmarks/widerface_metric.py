# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Time the vectorised WIDER FACE protocol against a per-image,
per-threshold loop of the same protocol, on the full val ground truth.

Predictions are generated from the ground truth (jittered faces, missed
faces and random false positives, fixed seed), so the run needs only the
official .mat files::

    python benchmarks/widerface_metric.py --gt-dir ../shared/data/widerface
"""
import argparse
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Sequence

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmdet.evaluation.functional import average_precision  # noqa: E402

from projects.facedet.evaluation import (load_widerface_gt,  # noqa: E402
                                         widerface_iou, widerface_pr_curves)
from projects.facedet.evaluation.widerface_protocol import \
    normalize_scores  # noqa: E402


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
        aps[setting] = float(average_precision(recall, precision, 'area'))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--gt-dir', default='../shared/data/widerface')
    parser.add_argument('--loop-images', type=int, default=None,
                        help='time the loop on the first N images only and '
                        'extrapolate (default: all images)')
    args = parser.parse_args()
    gt = load_widerface_gt(args.gt_dir)
    preds = synthetic_predictions(gt.boxes)
    start = time.perf_counter()
    curves = widerface_pr_curves(preds, gt.boxes, gt.keep)
    fast = time.perf_counter() - start
    n = args.loop_images or len(gt.boxes)
    start = time.perf_counter()
    loop = loop_widerface_ap(preds[:n], gt.boxes[:n],
                             {k: v[:n] for k, v in gt.keep.items()})
    slow = (time.perf_counter() - start) * len(gt.boxes) / n
    print(f'images: {len(gt.boxes)}, predictions: '
          f'{sum(len(p) for p in preds)}')
    print('vectorised AP: ' + ', '.join(
        f'{k} {c.ap:.4f}' for k, c in curves.items()))
    if n == len(gt.boxes):
        print('loop AP:       ' + ', '.join(
            f'{k} {v:.4f}' for k, v in loop.items()))
    print(f'vectorised {fast:.3f} s, loop {slow:.3f} s'
          f'{" (extrapolated)" if n < len(gt.boxes) else ""}, '
          f'ratio loop/vectorised {slow / fast:.1f}x')


if __name__ == '__main__':
    main()
