# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""FDDB discrete and continuous ROC.

Protocol of `FDDB: A Benchmark for Face Detection in Unconstrained Settings
<http://vis-www.cs.umass.edu/fddb/>`_: the overlap of a detection
rectangle :math:`D` and an annotated ellipse :math:`E` is the pixel ratio
:math:`r = |D \\cap E| / |D \\cup E|`; detections and faces are paired by a
maximum-weight bipartite matching of the overlaps (pairs with
:math:`r < 0.5` cannot match). The discrete score of a matched detection is
1, the continuous score is :math:`r`; an unmatched detection is a false
positive. Sweeping the score threshold over every detection score gives
the ROC: true positive rate (scores / faces) against the number of false
positives; the reported number is the TPR at 1,000 false positives.

Our reconstruction where the description leaves room: pixels are the
integer grid points (x, y); the matching is recomputed for every
threshold (scipy's ``linear_sum_assignment``).
"""
from typing import Dict, NamedTuple, Optional, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment


class FDDBRoc(NamedTuple):
    """ROC points, highest threshold first.

    Attributes:
        thresholds (np.ndarray): Score thresholds (distinct scores).
        false_positives (np.ndarray): False positives at each threshold.
        tpr_discrete (np.ndarray): Discrete true positive rate.
        tpr_continuous (np.ndarray): Continuous true positive rate.
        num_faces (int): Annotated faces.
    """

    thresholds: np.ndarray
    false_positives: np.ndarray
    tpr_discrete: np.ndarray
    tpr_continuous: np.ndarray
    num_faces: int

    def tpr_at(self, max_fp: int = 1000) -> Dict[str, float]:
        """Discrete and continuous TPR at the last point with at most
        ``max_fp`` false positives (0 if there is none)."""
        ok = np.flatnonzero(self.false_positives <= max_fp)
        if not len(ok):
            return dict(discrete=0.0, continuous=0.0)
        return dict(
            discrete=float(self.tpr_discrete[ok[-1]]),
            continuous=float(self.tpr_continuous[ok[-1]]))


def ellipse_rect_overlaps(ellipses: np.ndarray,
                          rects: np.ndarray) -> np.ndarray:
    """Pixel IoU of every ellipse with every rectangle.

    Args:
        ellipses (np.ndarray): (k, 5) ``major_r, minor_r, angle, cx, cy``.
        rects (np.ndarray): (n, 4) ``x, y, w, h``.

    Returns:
        np.ndarray: (k, n) overlap ratios.
    """
    ellipses = np.asarray(ellipses, np.float64).reshape(-1, 5)
    rects = np.asarray(rects, np.float64).reshape(-1, 4)
    if not len(ellipses) or not len(rects):
        return np.zeros((len(ellipses), len(rects)))
    a, b, theta, cx, cy = ellipses.T
    extent = np.maximum(a, b)
    x0 = int(np.floor(min((cx - extent).min(), rects[:, 0].min())))
    y0 = int(np.floor(min((cy - extent).min(), rects[:, 1].min())))
    x1 = int(np.ceil(max((cx + extent).max(), (rects[:, 0] + rects[:, 2]).max())))
    y1 = int(np.ceil(max((cy + extent).max(), (rects[:, 1] + rects[:, 3]).max())))
    ys, xs = np.mgrid[y0:y1 + 1, x0:x1 + 1]
    xs, ys = xs.ravel()[None].astype(np.float64), ys.ravel()[None]
    dx, dy = xs - cx[:, None], ys - cy[:, None]
    u = dx * np.cos(theta)[:, None] + dy * np.sin(theta)[:, None]
    v = -dx * np.sin(theta)[:, None] + dy * np.cos(theta)[:, None]
    in_ellipse = (u / a[:, None])**2 + (v / b[:, None])**2 <= 1
    in_rect = ((xs >= rects[:, :1]) & (xs < rects[:, :1] + rects[:, 2:3])
               & (ys >= rects[:, 1:2]) & (ys < rects[:, 1:2] + rects[:, 3:4]))
    inter = in_ellipse.astype(np.float32) @ in_rect.T.astype(np.float32)
    union = in_ellipse.sum(1)[:, None] + in_rect.sum(1)[None] - inter
    return np.divide(inter, union, out=np.zeros_like(inter, np.float64),
                     where=union > 0)


def _prefix_scores(overlaps: np.ndarray, iou_thr: float) -> np.ndarray:
    """(n, 2): discrete and continuous score of the best matching of the
    first m = 1..n detections (sorted by descending score)."""
    weights = np.where(overlaps >= iou_thr, overlaps, 0.0)
    out = np.zeros((overlaps.shape[1], 2))
    for m in range(1, overlaps.shape[1] + 1):
        rows, cols = linear_sum_assignment(weights[:, :m], maximize=True)
        matched = weights[rows, cols]
        out[m - 1] = (matched > 0).sum(), matched.sum()
    return out


def fddb_roc(preds: Sequence[Optional[np.ndarray]],
             ellipses: Sequence[np.ndarray],
             iou_thr: float = 0.5) -> FDDBRoc:
    """Discrete and continuous ROC over all images.

    Args:
        preds (Sequence[np.ndarray | None]): Per image (n, 5)
            ``x, y, w, h, score``; None or empty for no detections.
        ellipses (Sequence[np.ndarray]): Per image (k, 5) ellipses.
        iou_thr (float): Overlap needed for a match. Defaults to 0.5.

    Returns:
        FDDBRoc: The ROC points.
    """
    if len(preds) != len(ellipses):
        raise ValueError(f'{len(preds)} prediction entries for '
                         f'{len(ellipses)} annotated images')
    ends, gains, all_scores = [], [], []
    for pred, faces in zip(preds, ellipses):
        if pred is None or not len(pred):
            continue
        pred = pred[np.argsort(-pred[:, 4], kind='stable')]
        all_scores.append(pred[:, 4])
        scores = _prefix_scores(
            ellipse_rect_overlaps(faces, pred[:, :4]), iou_thr)
        # Only prefixes that end before a lower score are thresholds.
        last = np.flatnonzero(np.r_[pred[1:, 4] < pred[:-1, 4], True])
        ends.append(pred[last, 4])
        gains.append(np.diff(scores[last], axis=0, prepend=0))
    num_faces = int(sum(len(e) for e in ellipses))
    if not all_scores:
        empty = np.zeros(0)
        return FDDBRoc(empty, empty, empty, empty, num_faces)
    thresholds, inverse = np.unique(-np.concatenate(ends), return_inverse=True)
    gains = np.concatenate(gains)
    tp = np.stack([
        np.bincount(inverse, gains[:, k], len(thresholds)) for k in (0, 1)
    ], axis=1).cumsum(0)
    all_scores = np.sort(np.concatenate(all_scores))
    detections = len(all_scores) - np.searchsorted(
        all_scores, -thresholds, side='left')
    denominator = max(num_faces, 1)
    return FDDBRoc(-thresholds, detections - tp[:, 0],
                   tp[:, 0] / denominator, tp[:, 1] / denominator, num_faces)
