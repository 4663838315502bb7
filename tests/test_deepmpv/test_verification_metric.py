# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""EER on hand-made scores, the held-out threshold, TAR@FAR, plots, and
the metric over a verification dataset's pairs."""
import numpy as np
import pytest
import torch

from projects.deepmpv.evaluation import (PalmVerificationMetric,
                                         cosine_scores, verification_report)
from projects.facerec.evaluation import FaceVerificationMetric
from projects.facerec.evaluation import equal_error_rate


def test_eer_by_hand():
    scores = np.array([0.9, 0.8, 0.7, 0.4, 0.6, 0.5, 0.3, 0.1])
    issame = np.array([1, 1, 1, 1, 0, 0, 0, 0], bool)
    # at t = 0.55: 0.4 of the genuine rejected (FRR 1/4), 0.6 of the
    # impostors accepted (FAR 1/4)
    eer, thr = equal_error_rate(scores, issame)
    assert eer == pytest.approx(0.25) and thr == pytest.approx(0.55)
    # separated: EER 0, threshold between the classes
    eer, thr = equal_error_rate(np.array([0.9, 0.8, 0.2, 0.1]),
                                np.array([1, 1, 0, 0], bool))
    assert eer == 0 and thr == pytest.approx(0.5)
    # reversed: everything wrong at the EER point
    eer, _ = equal_error_rate(np.array([0.1, 0.2, 0.8, 0.9]),
                              np.array([1, 1, 0, 0], bool))
    assert eer == pytest.approx(1.0)
    # FAR and FRR never equal: |FAR - FRR| = 1/6 at t = 0.45 (2/3, 1/2)
    # and t = 0.55 (1/3, 1/2); the later of the tie: (1/3 + 1/2) / 2
    eer, thr = equal_error_rate(np.array([0.9, 0.4, 0.6, 0.5, 0.1]),
                                np.array([1, 1, 0, 0, 0], bool))
    assert eer == pytest.approx(5 / 12) and thr == pytest.approx(0.55)
    with pytest.raises(ValueError, match='genuine and impostor'):
        equal_error_rate(np.array([0.1]), np.array([True]))


def test_report_threshold_is_chosen_on_the_calibration_fold():
    scores = np.array([0.9, 0.7, 0.3, 0.1, 0.8, 0.35, 0.6, 0.2])
    issame = np.array([1, 1, 0, 0, 1, 1, 0, 0], bool)
    fold = np.array(['calib'] * 4 + ['eval'] * 4)
    rep = verification_report(scores, issame, fold, fixed_threshold=0.5014)
    # calibration: perfectly separated between 0.3 and 0.7 -> t = 0.5
    assert rep['threshold'] == pytest.approx(0.5)
    # evaluation at 0.5: 0.35 rejected (FRR 50%), 0.6 accepted (FAR 50%)
    assert rep['FRR'] == pytest.approx(50) and rep['FAR'] == pytest.approx(50)
    assert rep['accuracy'] == pytest.approx(50)
    assert rep['FAR@fixed'] == pytest.approx(25)
    assert rep['FRR@fixed'] == pytest.approx(25)
    assert rep['num_pairs'] == 8 and rep['num_genuine'] == 4
    # 4 impostors: FAR 1e-2 means no impostor above; 0.6 is the top one
    assert rep['TAR@FAR=1e-02'] == pytest.approx(75)
    no_calib = verification_report(scores, issame, np.array(['eval'] * 8))
    assert 'threshold' not in no_calib and 'EER' in no_calib


def test_face_metric_reports_eer_when_asked():
    metric = FaceVerificationMetric(num_folds=2, with_eer=True)
    metric.dataset_meta = dict(issame=[True, False, True, False])
    e = torch.eye(4)
    feats = [e[0], e[0], e[1], e[2], e[3], e[3], e[0], e[1]]
    metric.process({}, [dict(sample_idx=i, pred_feat=f)
                        for i, f in enumerate(feats)])
    res = metric.compute_metrics(metric.results)
    assert res['EER'] == 0 and 'EER_threshold' in res
    plain = FaceVerificationMetric(num_folds=2)
    plain.dataset_meta = metric.dataset_meta
    assert 'EER' not in plain.compute_metrics(metric.results)


def test_palm_metric_over_pairs_and_plots(tmp_path):
    feats = torch.tensor([[1., 0.], [0.9, 0.1], [0., 1.], [0.1, 0.9],
                          [1., 1.], [-1., 0.]])
    meta = dict(pairs=[[0, 1], [2, 3], [0, 2], [1, 3], [4, 0], [5, 2]],
                issame=[True, True, False, False, True, False],
                pair_fold=['calib'] * 4 + ['eval'] * 2,
                protocol='cross_session')
    scores = cosine_scores(feats.numpy(), np.array(meta['pairs']))
    assert scores[0] == pytest.approx(0.9 / np.hypot(0.9, 0.1))
    assert scores[4] == pytest.approx(1 / np.sqrt(2))
    roc, dist = tmp_path / 'roc.png', tmp_path / 'scores.png'
    metric = PalmVerificationMetric(fixed_threshold=0.5014,
                                    roc_file=str(roc), score_file=str(dist))
    metric.dataset_meta = meta
    metric.process({}, [dict(sample_idx=i, pred_feat=f)
                        for i, f in enumerate(feats)])
    res = metric.compute_metrics(metric.results)
    assert res['EER'] == 0 and res['FAR'] == 0 and res['FRR'] == 0
    assert res['accuracy@fixed'] == pytest.approx(100)
    assert roc.stat().st_size > 1000 and dist.stat().st_size > 1000
    metric.dataset_meta = dict(meta, pairs=[[0, 9]] + meta['pairs'][1:])
    with pytest.raises(ValueError, match='no embedding for 1 paired'):
        metric.compute_metrics(metric.results)
    metric.dataset_meta = {}
    with pytest.raises(KeyError, match='MPDVerificationDataset'):
        metric.compute_metrics(metric.results)
    with pytest.raises(KeyError, match='FaceRecognizer'):
        metric.process({}, [dict(sample_idx=0)])
