# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The face-verification protocol: k-fold accuracy and TAR at FAR."""
from typing import Dict, Sequence, Tuple

import numpy as np


def pair_distances(emb1: np.ndarray, emb2: np.ndarray) -> np.ndarray:
    """Squared Euclidean distance of L2-normalised embeddings, i.e.
    :math:`d = \\|\\hat e_1 - \\hat e_2\\|^2 = 2 - 2\\cos(e_1, e_2)`."""
    e1 = emb1 / np.maximum(np.linalg.norm(emb1, axis=1, keepdims=True), 1e-12)
    e2 = emb2 / np.maximum(np.linalg.norm(emb2, axis=1, keepdims=True), 1e-12)
    return np.sum((e1 - e2)**2, axis=1)


def _accuracy(dist: np.ndarray, issame: np.ndarray, thr: float) -> float:
    """Fraction of pairs classified right by 'same iff dist < thr'."""
    return float(np.mean((dist < thr) == issame)) if dist.size else 0.0


def kfold_accuracy(dist: np.ndarray,
                   issame: np.ndarray,
                   thresholds: np.ndarray,
                   num_folds: int = 10) -> Tuple[np.ndarray, np.ndarray]:
    """LFW protocol: for each of ``num_folds`` contiguous folds, choose the
    threshold with the best accuracy on the other folds (the first, i.e.
    smallest, on ties) and measure the accuracy on the held-out fold.

    Folds are ``np.array_split`` of the pair order (the first
    ``n % num_folds`` folds get one pair more), as sklearn's unshuffled
    ``KFold`` used by the common evaluation scripts.

    Args:
        dist (np.ndarray): Pair distances, shape (P,).
        issame (np.ndarray): Bool labels, shape (P,).
        thresholds (np.ndarray): Candidate thresholds.
        num_folds (int): Number of folds. Defaults to 10.

    Returns:
        tuple[np.ndarray, np.ndarray]: Test accuracy and chosen threshold
        per fold, each of shape (num_folds,).
    """
    if num_folds < 2 or len(dist) < num_folds:
        raise ValueError(f'verification: need num_folds >= 2 and at least '
                         f'num_folds pairs, got num_folds={num_folds} with '
                         f'{len(dist)} pairs')
    folds = np.array_split(np.arange(len(dist)), num_folds)
    accs, thrs = np.zeros(num_folds), np.zeros(num_folds)
    for k, test_idx in enumerate(folds):
        train_idx = np.setdiff1d(np.arange(len(dist)), test_idx)
        train_accs = [
            _accuracy(dist[train_idx], issame[train_idx], t)
            for t in thresholds
        ]
        thrs[k] = thresholds[int(np.argmax(train_accs))]
        accs[k] = _accuracy(dist[test_idx], issame[test_idx], thrs[k])
    return accs, thrs


def tar_at_far(similarity: np.ndarray, issame: np.ndarray,
               far_targets: Sequence[float]) -> Dict[float, float]:
    """True accept rate at each false accept rate target.

    The threshold for target :math:`f` is the :math:`\\lfloor f N_{neg}
    \\rfloor`-th largest negative similarity (0-based), pairs are accepted
    when strictly above it, so at most :math:`f N_{neg}` negatives are
    accepted. With :math:`f N_{neg} < 1` it is the largest negative score.

    Args:
        similarity (np.ndarray): Pair scores, higher is more alike, (P,).
        issame (np.ndarray): Bool labels, shape (P,).
        far_targets (Sequence[float]): FAR values in (0, 1].

    Returns:
        dict[float, float]: TAR for each target.
    """
    pos, neg = similarity[issame], np.sort(similarity[~issame])[::-1]
    result = {}
    for far in far_targets:
        if not neg.size or not pos.size:
            result[far] = float('nan')
            continue
        k = int(np.floor(far * neg.size))
        thr = neg[k] if k < neg.size else -np.inf
        result[far] = float(np.mean(pos > thr))
    return result


def equal_error_rate(similarity: np.ndarray,
                     issame: np.ndarray) -> Tuple[float, float]:
    """Equal error rate and its threshold.

    Pairs are accepted when ``similarity >= t``; the candidate thresholds
    are the midpoints between consecutive distinct scores (and one below
    and above all of them). At the candidate where :math:`|FAR - FRR|` is
    smallest (the middle one on ties) the EER is :math:`(FAR + FRR) / 2`,
    the convention of bob.measure.

    Args:
        similarity (np.ndarray): Pair scores, higher is more alike, (P,).
        issame (np.ndarray): Bool labels, shape (P,), with both classes.

    Returns:
        tuple[float, float]: EER in [0, 1] and the threshold.
    """
    similarity = np.asarray(similarity, dtype=np.float64)
    issame = np.asarray(issame, dtype=bool)
    pos, neg = similarity[issame], similarity[~issame]
    if not pos.size or not neg.size:
        raise ValueError('verification: the EER needs genuine and impostor '
                         f'pairs, got {pos.size} genuine and {neg.size} '
                         'impostor')
    scores = np.unique(similarity)
    thresholds = np.concatenate([[scores[0] - 1],
                                 (scores[1:] + scores[:-1]) / 2,
                                 [scores[-1] + 1]])
    far = np.mean(neg[None, :] >= thresholds[:, None], axis=1)
    frr = np.mean(pos[None, :] < thresholds[:, None], axis=1)
    gap = np.abs(far - frr)
    best = np.flatnonzero(gap <= gap.min() + 1e-12)
    k = int(best[len(best) // 2])
    return float((far[k] + frr[k]) / 2), float(thresholds[k])


def roc_curve(similarity: np.ndarray,
              issame: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """FAR and TAR of 'accept iff score >= thr' over every observed score."""
    order = np.argsort(-similarity, kind='stable')
    labels = issame[order]
    tar = np.cumsum(labels) / max(int(labels.sum()), 1)
    far = np.cumsum(~labels) / max(int((~labels).sum()), 1)
    return far, tar
