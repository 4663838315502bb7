# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""FDDB: ellipse folds, pixel overlaps, matching and the ROC."""
import math

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from projects.facedet import FDDBDataset, FDDBMetric
from projects.facedet.datasets import ellipse_to_box, read_fddb_ellipses
from projects.facedet.evaluation import ellipse_rect_overlaps, fddb_roc
from projects.facedet.evaluation.fddb_roc import _prefix_scores

# Circles of radius 5 hold 81 grid points; an 11 x 11 square around one
# holds 121 points and all 81: overlap 81 / 121.
CIRCLE_IOU = 81 / 121
FOLD = """2002/08/11/big/img_1
2
5 5 0 10 10 1
5 5 0 40 10 1
2002/08/11/big/img_2
0
"""


def test_ellipse_box_and_overlap():
    box = ellipse_to_box(np.array([[10, 5, math.pi / 2, 50, 50]]))
    np.testing.assert_allclose(box, [[45, 40, 55, 60]], atol=1e-9)
    overlaps = ellipse_rect_overlaps(
        np.array([[5, 5, 0, 10, 10]]),
        np.array([[5, 5, 11, 11], [100, 100, 5, 5]]))
    np.testing.assert_allclose(overlaps, [[CIRCLE_IOU, 0]])
    assert ellipse_rect_overlaps(np.zeros((0, 5)),
                                 np.ones((2, 4))).shape == (0, 2)


def test_matching_is_optimal_not_greedy():
    # Faces x detections (by score). Greedy would give D1 -> B and leave
    # D2 unmatched; the maximum matching is D1 -> A, D2 -> B.
    scores = _prefix_scores(np.array([[0.6, 0.0], [0.7, 0.8]]), 0.5)
    np.testing.assert_allclose(scores, [[1, 0.7], [2, 1.4]])
    # Below 0.5 a pair cannot match.
    np.testing.assert_allclose(
        _prefix_scores(np.array([[0.49]]), 0.5), [[0, 0]])


def _roc(tmp_path):
    (tmp_path / 'fold.txt').write_text(FOLD)
    faces = read_fddb_ellipses(str(tmp_path / 'fold.txt'))
    preds = [
        np.array([[5, 5, 11, 11, 0.9], [5, 5, 11, 11, 0.8],
                  [90, 90, 11, 11, 0.7], [35, 5, 11, 11, 0.6]]), None
    ]
    return fddb_roc(preds, list(faces.values()))


def test_roc_by_hand(tmp_path):
    roc = _roc(tmp_path)
    np.testing.assert_allclose(roc.thresholds, [0.9, 0.8, 0.7, 0.6])
    np.testing.assert_array_equal(roc.false_positives, [0, 1, 2, 2])
    np.testing.assert_allclose(roc.tpr_discrete, [0.5, 0.5, 0.5, 1])
    np.testing.assert_allclose(roc.tpr_continuous,
                               np.array([0.5, 0.5, 0.5, 1]) * CIRCLE_IOU)
    assert roc.tpr_at(1) == dict(discrete=0.5, continuous=CIRCLE_IOU / 2)
    assert roc.tpr_at(1000)['discrete'] == 1.0
    empty = fddb_roc([None], [np.zeros((1, 5))])
    assert empty.num_faces == 1 and empty.tpr_at(1000)['discrete'] == 0.0


@pytest.mark.parametrize('text,message', [
    ('img\nx\n', 'line 2: expected the face count of img'),
    ('img\n2\n5 5 0 10 10 1\n', 'line 2: img announces 2 faces'),
    ('img\n1\n5 5 0 10\n', 'line 3: expected "major_r'),
    ('img\n1\n5 5 a 10 10 1\n', 'line 3: non-numeric'),
    ('img\n1\n5 5 0 inf 10 1\n', 'line 3: NaN or inf'),
    ('img\n1\n5 0 0 10 10 1\n', 'line 3: ellipse radii must be > 0'),
])
def test_bad_fold_lines(tmp_path, text, message):
    path = tmp_path / 'fold.txt'
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as info:
        read_fddb_ellipses(str(path))
    assert 'fold.txt' in str(info.value)


def test_dataset_clips_ellipse_boxes_to_the_image(tmp_path):
    # a circle of radius 8 at (56, 26) in a 60 x 30 image: its box
    # [48, 18, 64, 34] is cut at the right and bottom edges; the ellipse is
    # kept whole for the metric
    path = tmp_path / 'images' / 'edge.jpg'
    path.parent.mkdir()
    cv2.imwrite(str(path), np.zeros((30, 60, 3), np.uint8))
    (tmp_path / 'fold.txt').write_text('edge\n1\n8 8 0 56 26 1\n')
    init_default_scope('mmdet')
    ds = FDDBDataset(data_root=str(tmp_path), ann_file='fold.txt',
                     data_prefix=dict(img='images/'), pipeline=[],
                     test_mode=True)
    (face, ) = ds.load_data_list()[0]['instances']
    assert face['bbox'] == [48, 18, 60, 30]
    assert face['ellipse'] == [8, 8, 0, 56, 26]


def test_dataset_and_metric(tmp_path):
    for name in ('img_1', 'img_2'):
        path = tmp_path / 'images' / '2002/08/11/big' / f'{name}.jpg'
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), np.zeros((30, 60, 3), np.uint8))
    (tmp_path / 'fold.txt').write_text(FOLD)
    init_default_scope('mmdet')
    ds = FDDBDataset(data_root=str(tmp_path), ann_file='fold.txt',
                     data_prefix=dict(img='images/'), pipeline=[],
                     test_mode=True)
    info = ds.load_data_list()[0]
    assert info['img_id'] == '2002/08/11/big/img_1'
    assert info['instances'][0]['bbox'] == [5, 5, 15, 15]
    assert info['instances'][1]['ellipse'] == [5, 5, 0, 40, 10]
    png = tmp_path / 'roc.png'
    metric = FDDBMetric(str(tmp_path / 'fold.txt'), max_fp=1,
                        roc_file=str(png))
    metric.process({}, [
        dict(img_id='2002/08/11/big/img_1',
             ori_shape=(120, 120),
             pred_instances=dict(
                 bboxes=torch.tensor([[5., 5, 16, 16], [5, 5, 16, 16],
                                      [90, 90, 101, 101], [35, 5, 46, 16]]),
                 scores=torch.tensor([0.9, 0.8, 0.7, 0.6])))
    ])
    assert metric.evaluate(1) == {
        'fddb/TPR_discrete@1FP': 0.5,
        'fddb/TPR_continuous@1FP': pytest.approx(CIRCLE_IOU / 2)
    }
    assert png.read_bytes()[:4] == b'\x89PNG'


def test_row_counting_equals_rasterised_masks():
    rng = np.random.default_rng(3)
    ellipses = np.c_[rng.uniform(5, 20, 4), rng.uniform(3, 15, 4),
                     rng.uniform(-3, 3, 4), rng.uniform(20, 60, (4, 2))]
    rects = np.c_[rng.uniform(10, 60, (5, 2)), rng.uniform(5, 30, (5, 2))]
    ys, xs = np.mgrid[-10:100, -10:100]
    expected = np.zeros((4, 5))
    for i, (a, b, t, cx, cy) in enumerate(ellipses):
        u = (xs - cx) * np.cos(t) + (ys - cy) * np.sin(t)
        v = -(xs - cx) * np.sin(t) + (ys - cy) * np.cos(t)
        inside = (u / a)**2 + (v / b)**2 <= 1
        for j, (x, y, w, h) in enumerate(rects):
            rect = (xs >= x) & (xs < x + w) & (ys >= y) & (ys < y + h)
            expected[i, j] = (inside & rect).sum() / (inside | rect).sum()
    assert (expected > 0).sum() >= 3
    np.testing.assert_allclose(ellipse_rect_overlaps(ellipses, rects),
                               expected)


def test_regions_are_clipped_to_the_image_as_the_official_masks():
    # an ellipse and a rectangle crossing the image's top-left corner
    ellipses = np.array([[12.0, 8.0, 0.4, 3.0, 2.0]])
    rects = np.array([[-6.0, -5.0, 14.0, 12.0], [2.0, 1.0, 5.0, 4.0]])
    height, width = 30, 40
    ys, xs = np.mgrid[0:height, 0:width]  # the image's pixels only
    a, b, t, cx, cy = ellipses[0]
    u = (xs - cx) * np.cos(t) + (ys - cy) * np.sin(t)
    v = -(xs - cx) * np.sin(t) + (ys - cy) * np.cos(t)
    inside = (u / a)**2 + (v / b)**2 <= 1
    expected = []
    for x, y, w, h in rects:
        rect = (xs >= x) & (xs < x + w) & (ys >= y) & (ys < y + h)
        expected.append((inside & rect).sum() / (inside | rect).sum())
    clipped = ellipse_rect_overlaps(ellipses, rects, (height, width))
    np.testing.assert_allclose(clipped, [expected])
    # without the image, the parts outside it count and the overlap differs
    assert not np.allclose(ellipse_rect_overlaps(ellipses, rects), clipped)
