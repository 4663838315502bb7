# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Similarity of NAD sub-architectures (the official ``similarSubArch.py``)
and the misclassification analysis of the paper."""
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch


def jaccard(a: torch.Tensor, b: torch.Tensor) -> float:
    """|a AND b| / |a OR b| of two binary paths of one layer; NaN when both
    are empty (the official code divides by zero there too)."""
    if a.shape != b.shape:
        raise ValueError(f'jaccard: paths of shapes {tuple(a.shape)} and '
                         f'{tuple(b.shape)}')
    a, b = a.bool(), b.bool()
    union = int((a | b).sum())
    if union == 0:
        return float('nan')
    return int((a & b).sum()) / union


def layer_jaccard(
        paths: Dict[int, List[torch.Tensor]]) -> Tuple[List[int], np.ndarray]:
    """Per-layer Jaccard of every pair of classes.

    Returns:
        tuple: the classes (sorted) and an (L, n, n) array.
    """
    classes = sorted(paths)
    if not classes:
        raise ValueError('layer_jaccard: no paths')
    num_layers = len(paths[classes[0]])
    for c in classes:
        if len(paths[c]) != num_layers:
            raise ValueError(f'layer_jaccard: class {c} has {len(paths[c])} '
                             f'layers, class {classes[0]} {num_layers}')
    n = len(classes)
    out = np.zeros((num_layers, n, n))
    for i in range(n):
        for j in range(i, n):
            for layer in range(num_layers):
                value = jaccard(paths[classes[i]][layer],
                                paths[classes[j]][layer])
                out[layer, i, j] = out[layer, j, i] = value
    return classes, out


def path_similarity(per_layer: np.ndarray) -> np.ndarray:
    """Similarity of two sub-architectures: the mean over layers of the
    Jaccard; layers where both paths are empty are left out (the official
    mean turns NaN there). NaN when every layer is empty."""
    valid = ~np.isnan(per_layer)
    counts = valid.sum(0)
    sums = np.where(valid, per_layer, 0).sum(0)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def most_similar(similarity: np.ndarray, classes: Sequence[int],
                 k: int) -> Dict[int, List[Tuple[int, float]]]:
    """Each class's k most similar other classes, most similar first (ties
    by class index; NaN similarities last)."""
    out = {}
    for i, c in enumerate(classes):
        others = [(classes[j], float(similarity[i, j]))
                  for j in range(len(classes)) if j != i]
        others.sort(key=lambda t: (np.isnan(t[1]), -np.nan_to_num(t[1]), t[0]))
        out[int(c)] = others[:k]
    return out


def misclassification_analysis(gt: Sequence[int], pred: Sequence[int],
                               similar: Dict[int, List[Tuple[int, float]]],
                               num_classes_with_paths: int) -> dict:
    """How often a misclassified image goes to a class whose path is among
    the most similar to the true class's (the paper's analysis).

    Only images whose true and predicted classes both have paths count;
    the others are counted in ``without_path``. The chance level is k over
    the other searched classes.

    Returns:
        dict: ``images``, ``misclassified``, ``without_path``, ``analysed``,
        ``to_similar``, ``rate`` (to_similar / analysed, NaN if none),
        ``k`` and ``chance``.
    """
    gt, pred = np.asarray(gt), np.asarray(pred)
    if gt.shape != pred.shape:
        raise ValueError(f'misclassification_analysis: {gt.shape} labels, '
                         f'{pred.shape} predictions')
    k = len(next(iter(similar.values()))) if similar else 0
    wrong = np.flatnonzero(gt != pred)
    analysed = to_similar = without_path = 0
    for i in wrong:
        true, guess = int(gt[i]), int(pred[i])
        if true not in similar or guess not in similar:
            without_path += 1
            continue
        analysed += 1
        to_similar += int(guess in [c for c, _ in similar[true]])
    others = max(num_classes_with_paths - 1, 1)
    return dict(images=int(gt.size),
                misclassified=int(wrong.size),
                without_path=without_path,
                analysed=analysed,
                to_similar=to_similar,
                rate=to_similar / analysed if analysed else float('nan'),
                k=k,
                chance=min(k / others, 1.0))


def prediction_overlap(gt: Sequence[int], probs: np.ndarray,
                       similar: Dict[int, List[Tuple[int, float]]]) -> dict:
    """Each class's k most similar sub-architectures against the k classes
    the network confuses it with most (the official comparison of
    ``similarSubArch.py``, over all the class's images).

    For a class c with a path and images: the mean softmax over c's images,
    its k highest classes other than c among the classes with paths, and
    the share of them that are also among c's k most similar paths.

    Returns:
        dict: ``per_class`` (class -> dict(predicted, similar, overlap)),
        ``mean_overlap`` (NaN without classes) and ``chance`` (k over the
        other classes with paths).
    """
    gt = np.asarray(gt)
    probs = np.asarray(probs)
    searched = sorted(similar)
    k = len(next(iter(similar.values()))) if similar else 0
    per_class = {}
    for c in searched:
        rows = probs[gt == c]
        if not len(rows):
            continue
        mean = rows.mean(0)
        others = sorted((o for o in searched if o != c),
                        key=lambda o: (-mean[o], o))[:k]
        tops = [o for o, _ in similar[c]]
        per_class[c] = dict(predicted=others,
                            similar=tops,
                            overlap=len(set(others) & set(tops)) / max(k, 1))
    overlaps = [v['overlap'] for v in per_class.values()]
    return dict(
        per_class=per_class,
        mean_overlap=float(np.mean(overlaps)) if overlaps else float('nan'),
        chance=min(k / max(len(searched) - 1, 1), 1.0))
