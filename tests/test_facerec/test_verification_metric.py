# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The verification protocol and FaceVerificationMetric, by hand."""
import math

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from projects.facerec.evaluation import (FaceVerificationMetric,
                                         kfold_accuracy, pair_distances,
                                         roc_curve, tar_at_far)


def test_pair_distances_are_squared_euclidean_of_unit_vectors():
    a = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]])
    b = np.array([[5.0, 0.0], [4.0, 0.0], [-1.0, -1.0]])
    assert np.allclose(pair_distances(a, b), [0.0, 2.0, 4.0])


def test_kfold_accuracy_hand_computed_two_folds():
    dist = np.array([0.2, 0.7, 1.2, 0.9, 1.4, 0.6])
    issame = np.array([True, True, False, True, False, False])
    accs, thrs = kfold_accuracy(dist, issame, np.array([0.5, 1.0, 1.5]), 2)
    # fold 0 trains on pairs 3-5: 0.5 and 1.0 tie at 2/3, the first wins;
    # pairs 0-2 at 0.5 -> [T, F, F] vs [T, T, F] = 2/3.
    # fold 1 trains on pairs 0-2: 1.0 is perfect; pairs 3-5 at 1.0 ->
    # [T, F, T] vs [T, F, F] = 2/3.
    assert np.allclose(thrs, [0.5, 1.0])
    assert np.allclose(accs, [2 / 3, 2 / 3])


def test_kfold_uneven_folds_and_errors():
    dist = np.array([0.1, 3.0, 0.2, 3.0, 0.3])
    issame = np.array([True, False, True, False, True])
    accs, _ = kfold_accuracy(dist, issame, np.arange(0, 4, 0.01), 2)
    # folds of 3 and 2 pairs; fold 1 trains on d = 0.1, 3.0, 0.2 whose
    # first perfect threshold is 0.21, so its same pair at 0.3 is missed.
    assert np.allclose(accs, [1.0, 0.5])
    with pytest.raises(ValueError, match='num_folds'):
        kfold_accuracy(dist, issame, np.array([1.0]), 10)


def test_tar_at_far_hand_computed():
    sim = np.array([0.9, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
    issame = np.array([True, False, True, False, True, False, False, False])
    tars = tar_at_far(sim, issame, (0.1, 0.2, 1.0))
    # negatives sorted: 0.6 0.4 0.2 0.1 0.0 (5); FAR 0.2 -> k=1 -> thr 0.4
    assert tars[0.1] == pytest.approx(1 / 3)  # above 0.6: only 0.9
    assert tars[0.2] == pytest.approx(2 / 3)  # above 0.4: 0.9, 0.5
    assert tars[1.0] == pytest.approx(1.0)
    far, tar = roc_curve(sim, issame)
    assert far[-1] == tar[-1] == 1.0 and tar[0] == pytest.approx(1 / 3)


def _metric_results(metric, angles, flip_angles=None):
    samples = []
    for i, a in enumerate(angles):
        s = dict(
            sample_idx=i, pred_feat=torch.tensor([math.cos(a),
                                                  math.sin(a)]))
        if flip_angles is not None:
            b = flip_angles[i]
            s['pred_feat_flip'] = torch.tensor([math.cos(b), math.sin(b)])
        samples.append(s)
    metric.process({}, samples[::-1])  # order must not matter
    return metric.compute_metrics(metric.results)


def test_metric_end_to_end_hand_computed(tmp_path):
    init_default_scope('mmpretrain')
    # 20 pairs; same pairs 0.1 rad apart (d = 2 - 2cos 0.1 = 0.00999),
    # different pairs pi/2 apart (d = 2), except pair 19, 0.05 apart.
    angles, issame = [], []
    for k in range(20):
        same = k % 2 == 0
        delta = 0.1 if same else (0.05 if k == 19 else math.pi / 2)
        angles += [0.3 * k, 0.3 * k + delta]
        issame.append(same)
    metric = FaceVerificationMetric(roc_file=str(tmp_path / 'r' / 'roc.png'))
    metric.dataset_meta = dict(issame=issame)
    res = _metric_results(metric, angles)
    # pair 19 (d = 0.0025) is below every same pair: the fold holding it
    # (fold 9: pairs 18, 19) scores 1/2, all others 1 -> mean 95, std 15.
    assert res['accuracy'] == pytest.approx(95.0)
    assert res['accuracy_std'] == pytest.approx(15.0)
    # 10 negatives: FAR 0.1 allows 1 -> all same pairs accepted;
    # FAR 1e-2 allows none -> threshold at pair 19 (0.0025) -> none above.
    assert res['TAR@FAR=1e-01'] == pytest.approx(100.0)
    assert res['TAR@FAR=1e-02'] == pytest.approx(0.0)
    assert (tmp_path / 'r' / 'roc.png').stat().st_size > 1000


def test_metric_flip_fusion_sum_and_concat():
    issame = [True, False]
    angles = [0.0, 1.0, 0.0, 1.0]
    flips = [1.0, 0.0, 0.0, 1.0]
    for fusion in ('sum', 'none'):
        metric = FaceVerificationMetric(num_folds=2, flip_fusion=fusion)
        metric.dataset_meta = dict(issame=issame)
        metric.process({}, [
            dict(
                sample_idx=i,
                pred_feat=torch.tensor([math.cos(a), math.sin(a)]),
                pred_feat_flip=torch.tensor([
                    math.cos(flips[i]), math.sin(flips[i])
                ])) for i, a in enumerate(angles)
        ])
        e = np.stack([r[1] for r in sorted(metric.results)])
        d = pair_distances(e[0::2], e[1::2])
        if fusion == 'sum':  # pair 0: both fuse to 0.5 rad; pair 1: 0 vs 1
            assert np.allclose(d, [0.0, 2 - 2 * math.cos(1.0)], atol=1e-6)
        else:
            assert np.allclose(d, 2 - 2 * np.cos([1.0, 1.0]), atol=1e-6)
    concat = FaceVerificationMetric(flip_fusion='concat')
    concat.process({}, [
        dict(
            sample_idx=0,
            pred_feat=torch.ones(2),
            pred_feat_flip=torch.zeros(2))
    ])
    assert concat.results[0][1].tolist() == [1, 1, 0, 0]


def test_metric_bad_inputs():
    with pytest.raises(ValueError, match='flip_fusion'):
        FaceVerificationMetric(flip_fusion='max')
    metric = FaceVerificationMetric(flip_fusion='sum')
    with pytest.raises(KeyError, match='flip_test=True'):
        metric.process({}, [dict(sample_idx=0, pred_feat=torch.ones(2))])
    with pytest.raises(KeyError, match='FaceRecognizer'):
        metric.process({}, [dict(sample_idx=0)])
    metric = FaceVerificationMetric()
    metric.dataset_meta = dict(issame=[True, False])
    metric.process({}, [dict(sample_idx=0, pred_feat=torch.ones(2))])
    with pytest.raises(ValueError, match='2 pairs'):
        metric.compute_metrics(metric.results)
    metric.dataset_meta = {}
    with pytest.raises(KeyError, match='issame'):
        metric.compute_metrics(metric.results)
