# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The official WIDER FACE evaluation protocol, vectorised with numpy.

Protocol of the WIDER FACE benchmark (`WIDER FACE: A Face Detection
Benchmark <https://arxiv.org/abs/1511.06523>`_) as its official evaluation
code scores it:

1. Scores are min-max normalised over all predictions of all images:
   :math:`s' = (s - \\min(s_{min}, 1)) / (\\max(s_{max}, 0) -
   \\min(s_{min}, 1))`.
2. Per image, predictions are taken by descending score (ties keep their
   input order). Each prediction looks at the face with the largest IoU,
   with the +1-pixel convention
   :math:`IoU = \\frac{|A \\cap B|}{|A| + |B| - |A \\cap B|}`,
   :math:`|A| = (x_2 - x_1 + 1)(y_2 - y_1 + 1)`. If that IoU is at least
   0.5 and the face is not in the setting's keep list, the prediction is
   dropped from the proposals; if the face is kept and not yet recalled,
   it is recalled (a true positive); otherwise the prediction is a false
   positive (duplicates included).
3. For 1000 thresholds :math:`\\tau_t = 1 - (t + 1) / 1000`, proposals and
   recalled faces with :math:`s' \\ge \\tau_t` are summed over images;
   precision is TP / proposals and recall is TP / (kept faces of every
   image, also those without predictions).
4. AP is the VOC all-point area under the monotone precision envelope.

Images without ground-truth boxes or without predictions add nothing to
the curve (their kept faces still count in the recall denominator).

The per-prediction loop of the official code reduces to "first
prediction of each kept face" (:mod:`.face_matching`) and the
per-threshold loop to counting sorted scores.
"""
import logging
import sys
from typing import Dict, List, NamedTuple, Optional, Sequence

import numpy as np

from .face_matching import (BestFaceMatches, box_iou, first_hits,
                            match_best_faces)
from .voc_ap import voc_area_ap


class PRCurve(NamedTuple):
    """Precision/recall at each threshold (highest threshold first) and AP.

    Attributes:
        precision (np.ndarray): Shape (num_thresholds, ).
        recall (np.ndarray): Shape (num_thresholds, ).
        ap (float): VOC all-point AP.
        num_faces (int): Kept faces of the setting (recall denominator).
    """

    precision: np.ndarray
    recall: np.ndarray
    ap: float
    num_faces: int


def widerface_iou(pred_xyxy: np.ndarray, gt_xyxy: np.ndarray) -> np.ndarray:
    """IoU matrix with the +1-pixel convention of the official code.

    Args:
        pred_xyxy (np.ndarray): Shape (n, 4), ``x1, y1, x2, y2``.
        gt_xyxy (np.ndarray): Shape (k, 4), ``x1, y1, x2, y2``.

    Returns:
        np.ndarray: Shape (n, k), float64.
    """
    return box_iou(pred_xyxy, gt_xyxy, offset=1.0)


def _warn(message: str) -> None:
    """Log a warning to mmengine's current logger when mmengine is loaded
    (inside a runner), else to this module's logger (stderr by default):
    evaluating needs no toolbox."""
    if 'mmengine.logging' in sys.modules:
        from mmengine.logging import print_log
        print_log(message, logger='current', level=logging.WARNING)
    else:
        logging.getLogger(__name__).warning(message)


def normalize_scores(
        preds: Sequence[Optional[np.ndarray]]) -> List[Optional[np.ndarray]]:
    """Min-max normalise column 4 over all predictions (official rule:
    the range always includes [min, max] of the scores clipped to 0 and 1).

    When every score is the same value in [0, 1] the range is empty (the
    official code divides by zero): a warning is logged and every
    prediction gets the normalised score 1, so the curve has one point,
    all predictions at once.
    """
    scores = [p[:, 4] for p in preds if p is not None and len(p)]
    if not scores:
        return list(preds)
    all_scores = np.concatenate(scores)
    low = min(float(all_scores.min()), 1.0)
    high = max(float(all_scores.max()), 0.0)
    if high <= low:
        _warn(f'WIDER FACE: every prediction has the score {low}; min-max '
              'normalisation is undefined, all predictions enter at every '
              'threshold (one point of the PR curve)')
    out: List[Optional[np.ndarray]] = []
    for p in preds:
        if p is not None and len(p):
            p = p.astype(np.float64, copy=True)
            p[:, 4] = (p[:, 4] - low) / (high - low) if high > low else 1.0
        out.append(p)
    return out


def _xywh_to_xyxy(boxes: np.ndarray) -> np.ndarray:
    xyxy = np.asarray(boxes, dtype=np.float64).copy()
    xyxy[:, 2:4] += xyxy[:, :2]
    return xyxy


def _count_at_least(scores: np.ndarray,
                    thresholds: np.ndarray) -> np.ndarray:
    """Number of ``scores`` >= each threshold."""
    return len(scores) - np.searchsorted(
        np.sort(scores), thresholds, side='left')


def _setting_curve(matches: BestFaceMatches, kept: np.ndarray,
                   thresholds: np.ndarray) -> PRCurve:
    proposal, true_positive = first_hits(matches, kept)
    num_prop = _count_at_least(matches.scores[proposal], thresholds)
    num_tp = _count_at_least(matches.scores[true_positive], thresholds)
    precision = np.divide(
        num_tp, num_prop, out=np.zeros(len(thresholds)), where=num_prop > 0)
    num_faces = int(kept.sum())
    recall = num_tp / num_faces if num_faces else np.zeros(len(thresholds))
    ap = voc_area_ap(recall, precision)
    return PRCurve(precision, recall, ap, num_faces)


def widerface_pr_curves(preds: Sequence[Optional[np.ndarray]],
                        gt_boxes: Sequence[np.ndarray],
                        keep: Dict[str, Sequence[np.ndarray]],
                        iou_thr: float = 0.5,
                        num_thresholds: int = 1000) -> Dict[str, PRCurve]:
    """Evaluate every setting of the WIDER FACE protocol.

    Args:
        preds (Sequence[np.ndarray | None]): Per image, shape (n, 5):
            ``x, y, w, h, score`` (raw scores, any order); None or empty for
            an image without predictions.
        gt_boxes (Sequence[np.ndarray]): Per image, shape (k, 4):
            ``x, y, w, h`` of every face.
        keep (dict[str, Sequence[np.ndarray]]): Per setting name
            (``'easy'``...), per image a boolean mask of shape (k, ) of the
            faces kept in that setting.
        iou_thr (float): IoU of a match. Defaults to 0.5.
        num_thresholds (int): Score thresholds. Defaults to 1000.

    Returns:
        dict[str, PRCurve]: Curves and AP per setting.
    """
    if len(preds) != len(gt_boxes):
        raise ValueError(f'{len(preds)} prediction entries for '
                         f'{len(gt_boxes)} ground-truth images')
    for name, masks in keep.items():
        if len(masks) != len(gt_boxes) or any(
                len(m) != len(g) for m, g in zip(masks, gt_boxes)):
            raise ValueError(f'keep["{name}"] does not match the '
                             'ground-truth boxes image by image')
    matches = match_best_faces(
        [None if p is None else _xywh_to_xyxy(p)
         for p in normalize_scores(preds)],
        [_xywh_to_xyxy(g) for g in gt_boxes],
        iou_thr,
        offset=1.0)
    thresholds = 1 - (np.arange(num_thresholds) + 1) / num_thresholds
    curves = {}
    for name, masks in keep.items():
        kept = np.concatenate([np.asarray(m, bool) for m in masks] +
                              [np.zeros(0, bool)])
        curves[name] = _setting_curve(matches, kept, thresholds)
    return curves
