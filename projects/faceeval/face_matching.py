# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Score-ranked, first-hit matching of detections to faces, vectorised.

Shared by the WIDER FACE and the iCartoonFace (VOC-style) protocols. Per
image, detections are taken by descending score; each looks at the face of
largest IoU :math:`IoU = |A \\cap B| / (|A| + |B| - |A \\cap B|)` (box sides
``x2 - x1 + offset``). With IoU >= the threshold, a detection on an ignored
face is dropped, the first detection on a kept face is a true positive and
later ones are duplicates (false positives); a detection without such a
face is a false positive. Since each decision only depends on the
detection's own best face and on earlier detections of that face, the
sequential loop of the reference implementations reduces to "first
detection per face", computed with ``np.unique``.
"""
from typing import NamedTuple, Optional, Sequence, Tuple

import numpy as np


class BestFaceMatches(NamedTuple):
    """Every detection of the matched images, each image sorted by
    descending score (ties keep input order), concatenated image by image.

    Attributes:
        scores (np.ndarray): Detection scores, shape (n, ).
        face (np.ndarray): Global index of the best face (-1: image without
            faces), shape (n, ).
        hit (np.ndarray): Whether the best IoU reaches the threshold.
    """

    scores: np.ndarray
    face: np.ndarray
    hit: np.ndarray


def box_iou(boxes1: np.ndarray,
            boxes2: np.ndarray,
            offset: float = 0.0) -> np.ndarray:
    """IoU matrix of ``x1, y1, x2, y2`` boxes in float64.

    Args:
        boxes1 (np.ndarray): Shape (n, 4).
        boxes2 (np.ndarray): Shape (k, 4).
        offset (float): Added to every side length and overlap (1 for the
            pixel-inclusive convention of WIDER FACE / VOC devkit).
            Defaults to 0.

    Returns:
        np.ndarray: Shape (n, k).
    """
    b1 = np.asarray(boxes1, dtype=np.float64)[:, None, :]
    b2 = np.asarray(boxes2, dtype=np.float64)[None, :, :]
    iw = np.minimum(b1[..., 2], b2[..., 2]) - np.maximum(b1[..., 0],
                                                         b2[..., 0]) + offset
    ih = np.minimum(b1[..., 3], b2[..., 3]) - np.maximum(b1[..., 1],
                                                         b2[..., 1]) + offset
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    area1 = (b1[..., 2] - b1[..., 0] + offset) * (
        b1[..., 3] - b1[..., 1] + offset)
    area2 = (b2[..., 2] - b2[..., 0] + offset) * (
        b2[..., 3] - b2[..., 1] + offset)
    union = area1 + area2 - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=inter > 0)


def match_best_faces(preds: Sequence[Optional[np.ndarray]],
                     faces: Sequence[np.ndarray],
                     iou_thr: float,
                     offset: float = 0.0,
                     skip_faceless: bool = True) -> BestFaceMatches:
    """Best face of every detection.

    Args:
        preds (Sequence[np.ndarray | None]): Per image (n, 5)
            ``x1, y1, x2, y2, score``; None or empty for none.
        faces (Sequence[np.ndarray]): Per image (k, 4) ``x1, y1, x2, y2``.
        iou_thr (float): IoU of a hit.
        offset (float): See :func:`box_iou`. Defaults to 0.
        skip_faceless (bool): Leave out the detections of images without
            faces (WIDER FACE) instead of keeping them as misses (VOC).
            Defaults to True.

    Returns:
        BestFaceMatches: The matches.
    """
    scores, best_faces, hits = [np.zeros(0)], [np.zeros(0, np.int64)], [
        np.zeros(0, bool)
    ]
    offset_faces = 0
    for pred, face in zip(preds, faces):
        if pred is not None and len(pred) and (len(face) or
                                               not skip_faceless):
            pred = pred[np.argsort(-pred[:, 4], kind='stable')]
            scores.append(pred[:, 4])
            if len(face):
                iou = box_iou(pred[:, :4], face, offset)
                best = iou.argmax(axis=1)
                best_faces.append(best + offset_faces)
                hits.append(iou[np.arange(len(pred)), best] >= iou_thr)
            else:
                best_faces.append(np.full(len(pred), -1))
                hits.append(np.zeros(len(pred), bool))
        offset_faces += len(face)
    return BestFaceMatches(
        np.concatenate(scores), np.concatenate(best_faces),
        np.concatenate(hits))


def first_hits(matches: BestFaceMatches,
               kept: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Which detections stay proposals and which are true positives.

    Args:
        matches (BestFaceMatches): From :func:`match_best_faces`.
        kept (np.ndarray): Boolean mask over all faces (global index):
            False for ignored faces.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``proposal`` (not dropped on an
        ignored face) and ``true_positive`` (first hit of a kept face)
        masks over the detections.
    """
    on_kept = np.zeros(len(matches.face), bool)
    on_kept[matches.hit] = kept[matches.face[matches.hit]]
    proposal = ~(matches.hit & ~on_kept)
    hit_rows = np.flatnonzero(matches.hit & on_kept)
    _, first = np.unique(matches.face[hit_rows], return_index=True)
    true_positive = np.zeros(len(matches.face), bool)
    true_positive[hit_rows[first]] = True
    return proposal, true_positive
