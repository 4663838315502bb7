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
integer grid points (x, y), counted exactly row by row; the matching is
recomputed for every threshold (scipy's ``linear_sum_assignment``).
"""
from typing import Dict, NamedTuple, Optional, Sequence, Tuple

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


def _ellipse_rows(ellipses: np.ndarray) -> Tuple[np.ndarray, ...]:
    """Integer rows of each ellipse and the x-interval of each row.

    Returns:
        tuple: ``rows`` (k, r) row coordinates, ``x_lo``/``x_hi`` (k, r)
        interval ends and ``valid`` (k, r) for rows inside the ellipse;
        ``r`` is the most rows of any ellipse.
    """
    a, b, theta, cx, cy = ellipses.T
    cos, sin = np.cos(theta), np.sin(theta)
    half_h = np.sqrt((a * sin)**2 + (b * cos)**2)
    first = np.ceil(cy - half_h)
    num_rows = (np.floor(cy + half_h) - first + 1).astype(np.int64)
    rows = first[:, None] + np.arange(max(int(num_rows.max()), 1))[None]
    dy = rows - cy[:, None]
    # ((dx cos + dy sin) / a)^2 + ((-dx sin + dy cos) / b)^2 <= 1 as a
    # quadratic A dx^2 + B dx + C <= 0 in dx.
    qa = (cos**2 / a**2 + sin**2 / b**2)[:, None]
    qb = 2 * dy * (sin * cos * (1 / a**2 - 1 / b**2))[:, None]
    qc = dy**2 * (sin**2 / a**2 + cos**2 / b**2)[:, None] - 1
    disc = np.maximum(qb**2 - 4 * qa * qc, 0)
    x_lo = cx[:, None] + (-qb - np.sqrt(disc)) / (2 * qa)
    x_hi = cx[:, None] + (-qb + np.sqrt(disc)) / (2 * qa)
    valid = np.arange(rows.shape[1])[None] < num_rows[:, None]
    return rows, x_lo, x_hi, valid


def ellipse_rect_overlaps(
        ellipses: np.ndarray,
        rects: np.ndarray,
        image_hw: Optional[Tuple[int, int]] = None) -> np.ndarray:
    """Pixel IoU of every ellipse with every rectangle.

    Pixels are the integer grid points; an ellipse holds the points with
    :math:`(u/a)^2 + (v/b)^2 \\le 1` (:math:`u, v` along its axes), a
    rectangle ``x, y, w, h`` the points with :math:`x \\le p_x < x + w`,
    :math:`y \\le p_y < y + h`. Points are counted row by row from the
    ellipse's exact x-interval on each row (no rasterised masks). With
    ``image_hw`` both regions are clipped to the image's pixels
    :math:`0 \\le p_x < W`, :math:`0 \\le p_y < H`, as the official
    evaluation, which draws them on image-sized masks.

    Args:
        ellipses (np.ndarray): (k, 5) ``major_r, minor_r, angle, cx, cy``.
        rects (np.ndarray): (n, 4) ``x, y, w, h``.
        image_hw (tuple[int, int], optional): ``(H, W)`` of the image.
            Defaults to None (no clipping).

    Returns:
        np.ndarray: (k, n) overlap ratios.
    """
    ellipses = np.asarray(ellipses, np.float64).reshape(-1, 5)
    rects = np.asarray(rects, np.float64).reshape(-1, 4)
    if not len(ellipses) or not len(rects):
        return np.zeros((len(ellipses), len(rects)))
    rows, x_lo, x_hi, valid = _ellipse_rows(ellipses)
    first_x, last_x = np.ceil(x_lo), np.floor(x_hi)
    rx1, ry1 = np.ceil(rects[:, 0]), np.ceil(rects[:, 1])
    rx2 = np.ceil(rects[:, 0] + rects[:, 2])
    ry2 = np.ceil(rects[:, 1] + rects[:, 3])
    if image_hw is not None:
        height, width = image_hw
        valid = valid & (rows >= 0) & (rows < height)
        first_x, last_x = np.maximum(first_x, 0), np.minimum(last_x, width - 1)
        rx1, rx2 = np.clip(rx1, 0, width), np.clip(rx2, 0, width)
        ry1, ry2 = np.clip(ry1, 0, height), np.clip(ry2, 0, height)
    ellipse_area = np.where(valid, np.maximum(last_x - first_x + 1, 0),
                            0).sum(1)
    rect_area = np.maximum(rx2 - rx1, 0) * np.maximum(ry2 - ry1, 0)
    # (k, n, r): points of each ellipse row inside each rectangle.
    lo = np.maximum(first_x[:, None], rx1[None, :, None])
    hi = np.minimum(last_x[:, None], rx2[None, :, None] - 1)
    in_rows = ((rows[:, None] >= ry1[None, :, None]) &
               (rows[:, None] < ry2[None, :, None]) & valid[:, None])
    inter = np.where(in_rows, np.maximum(hi - lo + 1, 0), 0).sum(-1)
    union = ellipse_area[:, None] + rect_area[None] - inter
    return np.divide(inter, union, out=np.zeros_like(inter, np.float64),
                     where=union > 0)


def _prefix_scores(overlaps: np.ndarray, iou_thr: float) -> np.ndarray:
    """(n, 2): discrete and continuous score of the best matching of the
    first m = 1..n detections (sorted by descending score)."""
    weights = np.where(overlaps >= iou_thr, overlaps, 0.0)
    out = np.zeros((overlaps.shape[1], 2))
    for m in range(overlaps.shape[1]):
        if m and not weights[:, m].any():
            # A detection that cannot match leaves the matching unchanged.
            out[m] = out[m - 1]
            continue
        rows, cols = linear_sum_assignment(weights[:, :m + 1], maximize=True)
        matched = weights[rows, cols]
        out[m] = (matched > 0).sum(), matched.sum()
    return out


def fddb_roc(
        preds: Sequence[Optional[np.ndarray]],
        ellipses: Sequence[np.ndarray],
        iou_thr: float = 0.5,
        image_sizes: Optional[Sequence[Optional[Tuple[int, int]]]] = None
) -> FDDBRoc:
    """Discrete and continuous ROC over all images.

    Args:
        preds (Sequence[np.ndarray | None]): Per image (n, 5)
            ``x, y, w, h, score``; None or empty for no detections.
        ellipses (Sequence[np.ndarray]): Per image (k, 5) ellipses.
        iou_thr (float): Overlap needed for a match. Defaults to 0.5.
        image_sizes (Sequence[tuple | None], optional): Per image ``(H, W)``
            to clip both regions to, as the official evaluation. Defaults
            to None (no clipping).

    Returns:
        FDDBRoc: The ROC points.
    """
    if len(preds) != len(ellipses):
        raise ValueError(f'{len(preds)} prediction entries for '
                         f'{len(ellipses)} annotated images')
    sizes = [None] * len(preds) if image_sizes is None else image_sizes
    ends, gains, all_scores = [], [], []
    for pred, faces, size in zip(preds, ellipses, sizes):
        if pred is None or not len(pred):
            continue
        pred = pred[np.argsort(-pred[:, 4], kind='stable')]
        all_scores.append(pred[:, 4])
        scores = _prefix_scores(
            ellipse_rect_overlaps(faces, pred[:, :4], size), iou_thr)
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
