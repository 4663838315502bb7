# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""projects.faceeval's VOC area AP equals mmdet's, without mmdet."""
import numpy as np
import pytest
from mmdet.evaluation.functional import average_precision

from projects.faceeval import voc_area_ap


def test_by_hand():
    # 0.25 x 1 + 0.25 x 0.8 + 0.5 x 0.5
    assert voc_area_ap(np.array([0.25, 0.5, 1.0]),
                       np.array([1.0, 0.8, 0.5])) == pytest.approx(0.7)
    # a dip is lifted by the later, higher precision
    assert voc_area_ap(np.array([0.5, 0.5, 1.0]),
                       np.array([1.0, 0.2, 0.6])) == pytest.approx(0.8)
    assert voc_area_ap(np.zeros(3), np.zeros(3)) == 0


@pytest.mark.parametrize('seed', range(5))
def test_equals_mmdet_average_precision(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 2000))
    recall = np.sort(np.round(rng.random(n), int(rng.integers(1, 4))))
    precision = rng.random(n)
    expected = float(average_precision(recall, precision, 'area'))
    assert voc_area_ap(recall, precision) == expected


def test_bad_shapes():
    with pytest.raises(ValueError, match='equal 1-D shapes'):
        voc_area_ap(np.zeros(3), np.zeros(4))
