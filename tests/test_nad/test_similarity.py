# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Jaccard of NAD paths, most similar sub-architectures and the
misclassification analysis against hand counts."""
import math

import numpy as np
import pytest
import torch

from projects.nad import (binarize, jaccard, layer_jaccard,
                          misclassification_analysis, most_similar,
                          path_similarity, prediction_overlap)


def _t(*bits):
    return torch.tensor(bits, dtype=torch.bool)


def test_jaccard_by_hand():
    assert jaccard(_t(1, 1, 0, 0), _t(1, 0, 1, 0)) == pytest.approx(1 / 3)
    assert jaccard(_t(1, 1), _t(1, 1)) == 1.0
    assert jaccard(_t(1, 0), _t(0, 1)) == 0.0
    assert math.isnan(jaccard(_t(0, 0), _t(0, 0)))
    with pytest.raises(ValueError, match='shapes'):
        jaccard(_t(1), _t(1, 0))


def test_binarize_is_sigmoid_above_half():
    masks = {'a': torch.tensor([0.2, 0.0, -0.3]).view(1, 3, 1, 1)}
    assert binarize(masks)[0].tolist() == [True, False, False]


def test_layer_jaccard_similarity_and_top_k():
    paths = {
        5: [_t(1, 1, 0, 0), _t(0, 0)],
        2: [_t(1, 0, 1, 0), _t(0, 0)],
        9: [_t(1, 1, 0, 1), _t(1, 0)],
    }
    classes, per_layer = layer_jaccard(paths)
    assert classes == [2, 5, 9]
    assert per_layer.shape == (2, 3, 3)
    assert per_layer[0, 0, 1] == pytest.approx(1 / 3)  # 2 vs 5
    assert per_layer[0, 1, 2] == pytest.approx(2 / 3)  # 5 vs 9
    assert per_layer[0, 0, 2] == pytest.approx(1 / 4)  # 2 vs 9
    assert math.isnan(per_layer[1, 0, 1])  # both empty at layer 1
    assert per_layer[1, 0, 2] == 0.0
    sim = path_similarity(per_layer)
    # 2 vs 5: the empty layer is left out; 5 vs 9: (2/3 + 0) / 2
    assert sim[0, 1] == pytest.approx(1 / 3)
    assert sim[1, 2] == pytest.approx(1 / 3)
    assert sim[0, 2] == pytest.approx(1 / 8)
    assert np.allclose(np.diag(sim), [1, 1, 1])
    top = most_similar(sim, classes, 1)
    # ties (1/3, 1/3) go to the smaller class index
    assert top == {
        2: [(5, pytest.approx(1 / 3))],
        5: [(2, pytest.approx(1 / 3))],
        9: [(5, pytest.approx(1 / 3))]
    }
    with pytest.raises(ValueError, match='layers'):
        layer_jaccard({0: [_t(1)], 1: [_t(1), _t(0)]})
    with pytest.raises(ValueError, match='no paths'):
        layer_jaccard({})


def test_misclassification_analysis_by_hand():
    similar = {0: [(1, 0.5)], 1: [(2, 0.4)], 2: [(1, 0.4)], 3: [(0, 0.1)]}
    gt = [0, 0, 0, 1, 1, 2, 3, 7, 0]
    pred = [0, 1, 2, 2, 0, 2, 1, 0, 8]
    out = misclassification_analysis(gt, pred, similar, 4)
    # wrong: (0->1 yes), (0->2 no), (1->2 yes), (1->0 no), (3->1 no),
    # (7->0 no path), (0->8 no path)
    assert out['misclassified'] == 7
    assert out['without_path'] == 2
    assert out['analysed'] == 5 and out['to_similar'] == 2
    assert out['rate'] == pytest.approx(0.4)
    assert out['chance'] == pytest.approx(1 / 3) and out['k'] == 1
    assert math.isnan(misclassification_analysis([0], [0], similar, 4)['rate'])


def test_prediction_overlap_by_hand():
    similar = {0: [(1, 0.5)], 1: [(2, 0.4)], 2: [(1, 0.4)]}
    gt = [0, 0, 1, 2]
    probs = np.array([
        [0.6, 0.1, 0.3],  # class 0: mean (0.5, 0.3, 0.2) -> other top 1
        [0.4, 0.5, 0.1],
        [0.1, 0.8, 0.1],  # class 1: class 0 and 2 tie at 0.1 -> 0
        [0.2, 0.3, 0.5],  # class 2: class 1 (0.3)
    ])
    out = prediction_overlap(gt, probs, similar)
    assert out['per_class'][0] == dict(predicted=[1], similar=[1], overlap=1.0)
    assert out['per_class'][1]['predicted'] == [0]
    assert out['per_class'][1]['overlap'] == 0.0
    assert out['per_class'][2]['overlap'] == 1.0
    assert out['mean_overlap'] == pytest.approx(2 / 3)
    assert out['chance'] == pytest.approx(0.5)
