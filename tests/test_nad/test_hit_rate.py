# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The NAD hit rate on synthetic maps with known answers, the mosaics, and
the per-layer hits through the gates of a classifier."""
import numpy as np
import pytest
import torch

from projects.nad import (NADGates, activation_map, layer_hits, make_mosaic,
                          quadrant_hit, sample_mosaics, top_pixels)
from projects.nad.analysis_utils import preprocess
from projects.nad.hit_rate import mosaic_hits

from ._models import TINY_CHANNELS, TINY_POSITIONS, tiny_classifier


def _map() -> np.ndarray:
    """16x16: 48 pixels of 1.0 top-right, 16 of 0.8 bottom-left, 8 of 0.5
    top-left, the rest 0."""
    cam = np.zeros((16, 16))
    cam[0:6, 8:16] = 1.0
    cam[8:10, 0:8] = 0.8
    cam[0:1, 0:8] = 0.5
    return cam


def test_quadrant_hit_known_answers():
    cam = _map()
    # rate 0.25 keeps int(64) pixels: the 64th largest is 0.8 and only
    # values above it count (official '>'): the 48 top-right pixels
    assert top_pixels(cam, 0.25).sum() == 48
    assert quadrant_hit(cam, 1, 0.25) == 1.0
    assert quadrant_hit(cam, 2, 0.25) == 0.0
    # rate 0.3 keeps int(76.8) = 76: threshold 0, 72 pixels above it
    assert quadrant_hit(cam, 1, 0.3) == pytest.approx(48 / 72)
    assert quadrant_hit(cam, 2, 0.3) == pytest.approx(16 / 72)
    assert quadrant_hit(cam, 0, 0.3) == pytest.approx(8 / 72)
    assert quadrant_hit(cam, 3, 0.3) == 0.0
    # a flat map has no pixel above the threshold
    assert np.isnan(quadrant_hit(np.ones((4, 4)), 0, 0.5))
    with pytest.raises(ValueError, match='keeps no pixel'):
        quadrant_hit(cam, 0, 0.001)


def test_activation_map_is_the_official_channel_sum():
    feature = torch.zeros(3, 4, 4)
    feature[0, 0, 2:] = 2.0  # top-right row, split over two channels
    feature[1, 1, 2:] = 1.0
    feature[2] = -1.0  # a constant channel does not change the map
    cam = activation_map(feature, 4)
    # same size: no resize; min-max of the channel sum, floor(255 x) / 255
    expected = np.zeros((4, 4))
    expected[0, 2:] = 1.0
    expected[1, 2:] = np.uint8(0.5 * 255) / 255
    np.testing.assert_allclose(cam, expected)
    assert activation_map(torch.ones(2, 3, 3), 8) is None
    big = activation_map(feature, 16)
    assert big.shape == (16, 16) and 0 <= big.min() and big.max() <= 1
    # the top 10 % of the upsampled map lie in the top-right quadrant
    assert layer_hits([feature], 1, 16, 0.1) == [1.0]


def test_mosaics():
    images = {c: [10 * c, 10 * c + 1] for c in range(6)}
    images[6] = []
    mosaics = sample_mosaics(images, 20, seed=3)
    assert mosaics == sample_mosaics(images, 20, seed=3)
    assert mosaics != sample_mosaics(images, 20, seed=4)
    for classes, idx in mosaics:
        assert len(set(classes)) == 4 and 6 not in classes
        assert all(i // 10 == c for c, i in zip(classes, idx))
    with pytest.raises(ValueError, match='4 distinct classes'):
        sample_mosaics({0: [1], 1: [2], 2: [3], 3: []}, 1, 0)
    tiles = [np.full((5, 7, 3), 40 * (q + 1), np.uint8) for q in range(4)]
    mosaic = make_mosaic(tiles, 8)
    assert mosaic.shape == (16, 16, 3)
    for q in range(4):
        r, c = divmod(q, 2)
        assert (mosaic[8 * r:8 * r + 8, 8 * c:8 * c + 8] == 40 * (q + 1)).all()


def test_mosaic_hits_use_each_quadrant_class_path():
    model = tiny_classifier()
    gates = NADGates(TINY_POSITIONS, channels=TINY_CHANNELS).attach(model)
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (32, 32, 3)).astype(np.uint8)
    torch.manual_seed(0)
    paths = {
        c: {
            n: torch.randn(1, ch, 1, 1)
            for n, ch in zip(TINY_POSITIONS, TINY_CHANNELS)
        }
        for c in range(4)
    }
    hits, maps = mosaic_hits(model,
                             gates,
                             paths,
                             image, [0, 1, 2, 3],
                             0.1,
                             keep_maps=True)
    assert hits.shape == (5, 4) and len(maps) == 5
    # quadrant 2's hits are those of class 2's binary path
    gates.mode = 'binary'
    gates.load_mask_state(paths[2])
    with torch.no_grad():
        model(preprocess(model, [image]), mode='tensor')
    expected = layer_hits([gates.activations[n][0] for n in TINY_POSITIONS], 2,
                          32, 0.1)
    np.testing.assert_allclose(hits[:, 2], expected)
    defined = hits[~np.isnan(hits)]
    assert defined.size and np.all((defined >= 0) & (defined <= 1))
