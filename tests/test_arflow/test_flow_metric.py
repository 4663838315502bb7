# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""FlowMetric: EPE all/noc/occ and Fl-all, pooled and per image, on
hand-made flows; submission files."""
import numpy as np
import pytest
import torch

from projects.arflow.datasets import read_flow, read_flow_kitti
from projects.arflow.evaluation import FlowMetric


def _sample(pred, gt, valid=None, noc=None, **meta):
    sample = dict(
        pred_flow_fw=dict(data=torch.as_tensor(pred, dtype=torch.float32)),
        gt_flow_fw=dict(data=torch.as_tensor(gt, dtype=torch.float32)),
        **meta)
    if valid is not None:
        sample['gt_valid_fw'] = dict(data=torch.as_tensor(valid)[None])
    if noc is not None:
        sample['gt_noc_fw'] = dict(data=torch.as_tensor(noc)[None])
    return sample


def _image_a():
    # 1 x 4 pixels; gt u = 10 everywhere; errors 0, 4 (outlier: > 3 and
    # > 0.5), 2 (not > 3), 5 on an invalid pixel.
    gt = np.zeros((2, 1, 4))
    gt[0] = 10
    pred = gt.copy()
    pred[0, 0, 1] += 4
    pred[1, 0, 2] += 2
    pred[0, 0, 3] += 5
    valid = np.array([[1., 1., 1., 0.]])
    noc = np.array([[1., 0., 1., 0.]])
    return pred, gt, valid, noc


def _image_b():
    # 1 x 2 pixels, gt u = 100: error 4 is under 5 % of 100 -> inlier.
    gt = np.zeros((2, 1, 2))
    gt[0] = 100
    pred = gt.copy()
    pred[0, 0, 0] += 4
    return pred, gt, np.ones((1, 2)), np.array([[1., 1.]])


def _run(metric, samples):
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def test_pooled_matches_hand_computation():
    out = _run(FlowMetric(), [_sample(*_image_a()), _sample(*_image_b())])
    # valid pixels: a -> 0, 4, 2 ; b -> 4, 0 : pooled EPE = 10 / 5.
    assert out['EPE'] == pytest.approx(2.0)
    # outliers: only a's 4-px error: 1 / 5.
    assert out['Fl_all'] == pytest.approx(20.0)
    # noc: a -> 0, 2 ; b -> 4, 0 : 6 / 4 ; occ: a -> 4 : 4 / 1.
    assert out['EPE_noc'] == pytest.approx(1.5)
    assert out['EPE_occ'] == pytest.approx(4.0)


def test_zero_flow_reference_by_hand():
    samples = [_sample(*_image_a()), _sample(*_image_b())]
    out = _run(FlowMetric(with_zero_flow=True), samples)
    # |gt| on valid pixels: a -> 10, 10, 10 ; b -> 100, 100 : 230 / 5.
    assert out['EPE_zero'] == pytest.approx(46.0)
    assert out['EPE_ratio'] == pytest.approx(2.0 / 46.0)
    per_image = _run(
        FlowMetric(reduction='per_image', with_zero_flow=True),
        [_sample(*_image_a()), _sample(*_image_b())])
    assert per_image['EPE_zero'] == pytest.approx((10 + 100) / 2)
    assert per_image['EPE_ratio'] == pytest.approx(2.0 / 55.0)
    assert 'EPE_zero' not in _run(FlowMetric(), samples)


def test_per_image_matches_arflow_averaging():
    out = _run(
        FlowMetric(reduction='per_image'),
        [_sample(*_image_a()), _sample(*_image_b())])
    assert out['EPE'] == pytest.approx((6 / 3 + 4 / 2) / 2)
    assert out['Fl_all'] == pytest.approx((100 / 3 + 0) / 2)
    assert out['EPE_noc'] == pytest.approx((2 / 2 + 4 / 2) / 2)
    # b has no occluded pixel: ARFlow floors the count at 1 -> 0.
    assert out['EPE_occ'] == pytest.approx((4 / 1 + 0) / 2)


def test_equal_sized_dense_images_agree_between_reductions():
    rng = np.random.default_rng(0)
    samples = [
        _sample(rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 3, 3)))
        for _ in range(3)
    ]
    pooled = _run(FlowMetric(), samples)
    per_image = _run(FlowMetric(reduction='per_image'), samples)
    assert pooled['EPE'] == pytest.approx(per_image['EPE'])
    assert pooled['Fl_all'] == pytest.approx(per_image['Fl_all'])
    assert 'EPE_noc' not in pooled


def test_submission_files_sintel_and_kitti(tmp_path):
    pred, gt, valid, _ = _image_a()
    metric = FlowMetric(format_only=True, output_dir=str(tmp_path))
    metric.process({}, [
        dict(pred_flow_fw=dict(data=torch.as_tensor(pred)),
             submission_path='clean/ambush_1/frame_0001.flo'),
        dict(pred_flow_fw=dict(data=torch.as_tensor(pred)),
             submission_path='flow/000000_10.png')
    ])
    assert metric.compute_metrics(metric.results) == {}
    flo = read_flow(str(tmp_path / 'clean/ambush_1/frame_0001.flo'))
    assert np.allclose(flo.transpose(2, 0, 1), pred)
    png, png_valid = read_flow_kitti(str(tmp_path / 'flow/000000_10.png'))
    assert np.abs(png.transpose(2, 0, 1) - pred).max() <= 0.5 / 64
    assert png_valid.all()


def test_bad_inputs():
    with pytest.raises(ValueError, match='reduction'):
        FlowMetric(reduction='mean')
    with pytest.raises(ValueError, match='output_dir'):
        FlowMetric(format_only=True)
    with pytest.raises(KeyError, match='gt_flow_fw'):
        FlowMetric().process({}, [dict(pred_flow_fw=dict(
            data=torch.zeros(2, 1, 1)), img_paths=['a.png'])])
    with pytest.raises(ValueError, match='no samples'):
        FlowMetric().compute_metrics([])
    with pytest.raises(KeyError, match='submission_path'):
        FlowMetric(output_dir='/tmp').process(
            {}, [dict(pred_flow_fw=dict(data=torch.zeros(2, 1, 1)))])
