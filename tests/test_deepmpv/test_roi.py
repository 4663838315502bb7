# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ROI geometries on hand-made points, against a literal port of the
inference script, rotation invariance, mirror symmetry of the hand rule,
and counted failures."""
import cv2
import numpy as np
import pytest

from projects.deepmpv.roi import (FEWER_THAN_TWO_GAPS, NO_PALM_CENTRE,
                                  PalmROIExtractor, cut_frame,
                                  deepmpv_plus_frame, farthest_pair,
                                  mpd_frame, order_gaps_for_hand)


def _texture(h: int = 200, w: int = 240, seed: int = 0) -> np.ndarray:
    """A smooth random colour texture (so interpolation errors are small)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 8, w // 8, 3)).astype(np.uint8)
    return cv2.GaussianBlur(
        cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC), (5, 5), 0)


def _rotate(img: np.ndarray, pts: np.ndarray, deg: float):
    """Rotate image and points about the image centre on an enlarged
    canvas (nothing cut off)."""
    h, w = img.shape[:2]
    mat = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), deg, 1.0)
    cos, sin = abs(mat[0, 0]), abs(mat[0, 1])
    nw, nh = int(np.ceil(h * sin + w * cos)), int(np.ceil(h * cos + w * sin))
    mat[0, 2] += (nw - w) / 2
    mat[1, 2] += (nh - h) / 2
    out = cv2.warpAffine(img, mat, (nw, nh), flags=cv2.INTER_CUBIC)
    return out, pts @ mat[:, :2].T + mat[:, 2]


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x.ravel().astype(float),
                             y.ravel().astype(float))[0, 1])


def test_mpd_frame_by_hand():
    # L = 60, midpoint (70, 50); 7/6 L = 70; L/6 = 10 below the gap line
    frame = mpd_frame((40, 50), (100, 50), 'l')
    np.testing.assert_allclose(frame.corner, [35, 60])
    np.testing.assert_allclose(frame.u, [1, 0])
    np.testing.assert_allclose(frame.p, [0, 1])
    assert frame.width == pytest.approx(70) == frame.height
    # right hand: the axis runs B -> A, same square for mirrored labels
    right = mpd_frame((100, 50), (40, 50), 'r')
    np.testing.assert_allclose(right.corner, [35, 60])
    # left hand with the labels the other way round: palm above the line
    up = mpd_frame((100, 50), (40, 50), 'l')
    np.testing.assert_allclose(up.corner, [105, 40])
    np.testing.assert_allclose(up.corners()[2], [35, -30])


def test_deepmpv_plus_frame_by_hand():
    # L = 60, F = (70, 50), P below: rows 50+30 .. 50+180, cols 70 -+ 75
    frame = deepmpv_plus_frame((40, 50), (100, 50), (70, 120))
    np.testing.assert_allclose(frame.corner, [-5, 80])
    np.testing.assert_allclose(frame.corners()[2], [145, 230])
    assert frame.width == pytest.approx(150) == frame.height
    # the gap order does not matter, the palm centre sets the side
    same = deepmpv_plus_frame((100, 50), (40, 50), (30, 90))
    np.testing.assert_allclose(same.corner, frame.corner)
    above = deepmpv_plus_frame((40, 50), (100, 50), (70, -20))
    np.testing.assert_allclose(above.p, [0, -1])
    np.testing.assert_allclose(above.corner, [145, 20])
    custom = deepmpv_plus_frame((40, 50), (100, 50), (70, 120), offset=1,
                                depth=2, width=1)
    np.testing.assert_allclose(custom.corners()[2], [100, 230])


def test_farthest_pair_and_gap_order():
    assert farthest_pair(np.array([[0, 0], [1, 0], [5, 0]])) == (0, 2)
    assert farthest_pair(np.array([[3, 3], [0, 0], [1, 9]])) == (1, 2)
    a, b = order_gaps_for_hand((100, 50), (40, 50), (70, 120), 'l')
    np.testing.assert_allclose(a, [40, 50])
    a, b = order_gaps_for_hand((40, 50), (100, 50), (70, 120), 'r')
    np.testing.assert_allclose(a, [100, 50])
    with pytest.raises(ValueError, match='>= 2 points'):
        farthest_pair(np.zeros((1, 2)))


def test_cut_is_an_exact_crop_for_an_axis_aligned_unit_frame():
    img = np.arange(40 * 50, dtype=np.float32).reshape(40, 50)
    frame = mpd_frame((10, 5), (16, 5), 'l')  # side 7, corner (9.5, 6)
    # the corner is a pixel index, as the reference codes' slicing
    frame = frame._replace(corner=np.array([10., 20.]))
    for resample in ('warp', 'crop_resize'):
        roi = cut_frame(img, frame, out_size=7, interpolation='bilinear',
                        resample=resample)
        np.testing.assert_allclose(roi, img[20:27, 10:17], atol=1e-3)
    # outside the image: the border value
    far = frame._replace(corner=np.array([100., 100.]))
    assert np.all(cut_frame(img, far, 4, border_value=255) == 255)
    with pytest.raises(ValueError, match='interpolation'):
        cut_frame(img, frame, interpolation='lanczos9')
    with pytest.raises(ValueError, match='resample'):
        cut_frame(img, frame, resample='zoom')


def _script_roi(img, a, b, centre):
    """A literal port of the inference script's steps: pad white to a
    square, rotate about its centre so that F -> P points down, crop rows
    [y0 + L/2, y0 + 3L) and cols [x0 - 5L/4, x0 + 5L/4), resize bicubic."""
    h, w = img.shape[:2]
    side = max(h, w)
    sq = np.full((side, side, 3), 255, np.uint8)
    sq[:h, :w] = img
    a, b, centre = (np.asarray(v, float) for v in (a, b, centre))
    along = (b - a) / np.linalg.norm(b - a)
    foot = a + np.dot(centre - a, along) * along
    down = centre - foot
    angle = np.degrees(np.arctan2(down[0], down[1]))  # turn down -> +y
    mat = cv2.getRotationMatrix2D(((side - 1) / 2, (side - 1) / 2), -angle,
                                  1.0)
    rot = cv2.warpAffine(sq, mat, (side, side), flags=cv2.INTER_LINEAR,
                         borderValue=(255, 255, 255))
    mid = ((a + b) / 2) @ mat[:, :2].T + mat[:, 2]
    length = np.linalg.norm(b - a)
    x0, y0 = mid
    crop = rot[int(round(y0 + length / 2)):int(round(y0 + 3 * length)),
               int(round(x0 - 1.25 * length)):int(round(x0 + 1.25 * length))]
    return cv2.resize(crop, (64, 64), interpolation=cv2.INTER_CUBIC)


def test_deepmpv_plus_matches_a_literal_port_of_the_script():
    img = _texture(220, 260)
    a, b, centre = (150, 30), (100, 50), (140, 90)
    ext = PalmROIExtractor('deepmpv_plus', out_size=64)
    ours = ext(img, np.array([a, b]), centre).roi
    ref = _script_roi(img, a, b, centre)
    assert np.abs(ours.astype(float) - ref).mean() < 6
    assert _corr(ours, ref) > 0.97


@pytest.mark.parametrize('geometry', ['deepmpv_plus', 'mpd'])
@pytest.mark.parametrize('deg', [37.0, 90.0, -125.0, 180.0])
def test_roi_is_rotation_invariant(geometry, deg):
    img = _texture()
    pts = np.array([[90., 60.], [150., 70.], [120., 62.], [118., 130.]])
    ext = PalmROIExtractor(geometry, out_size=48, border_value=0)
    base = ext(img, pts[:3], pts[3], hand='l')
    rot_img, rot_pts = _rotate(img, pts, deg)
    # the gaps in another order: the farthest pair is still found
    turned = ext(rot_img, rot_pts[[2, 1, 0]], rot_pts[3], hand='l')
    assert base.ok and turned.ok
    assert _corr(base.roi, turned.roi) > 0.95
    assert np.abs(base.roi.astype(float) - turned.roi).mean() < 8


def test_mpd_hand_rule_is_mirror_symmetric():
    img = _texture(seed=3)
    a, b = np.array([80., 60.]), np.array([140., 75.])
    w = img.shape[1]
    mirror = lambda q: np.array([w - 1 - q[0], q[1]])  # noqa: E731
    ext = PalmROIExtractor('mpd', out_size=40, resample='warp',
                           interpolation='bilinear')
    left = ext(img, np.stack([a, b]), hand='l', ordered=True)
    right = ext(img[:, ::-1].copy(), np.stack([mirror(a), mirror(b)]),
                hand='r', ordered=True)
    # the same square, its columns reversed: TL <-> TR, BR <-> BL
    mirrored = np.stack([mirror(q) for q in left.frame.corners()])
    np.testing.assert_allclose(right.frame.corners(), mirrored[[1, 0, 3, 2]])
    # pixels too, up to the half-pixel asymmetry of index-based crops
    assert _corr(right.roi, left.roi[:, ::-1]) > 0.97


def test_failures_are_reported_per_image_and_counted(caplog):
    img = _texture(64, 64)
    ext = PalmROIExtractor('deepmpv_plus', out_size=16)
    assert ext(img, np.zeros((0, 2)), (5, 5), name='none.jpg').reason == \
        FEWER_THAN_TWO_GAPS
    assert ext(img, np.array([[3, 3]]), (5, 5), name='one.jpg').reason == \
        FEWER_THAN_TWO_GAPS
    assert ext(img, np.array([[3, 3], [9, 3]]), None,
               name='nocentre.jpg').reason == NO_PALM_CENTRE
    online = ext(img, np.array([[3, 3], [9, 3]]), (20, 3), name='line.jpg')
    assert not online.ok and 'gap line' in online.reason
    same = ext(img, np.array([[3, 3], [3, 3]]), (5, 9), name='same.jpg')
    assert 'coincide' in same.reason
    good = ext(img, np.array([[20, 20], [40, 20]]), (30, 40), name='ok.jpg')
    assert good.ok and good.roi.shape == (16, 16, 3)
    assert ext.num_images == 6 and ext.num_failures == 5
    counts = ext.failure_counts()
    assert counts[FEWER_THAN_TWO_GAPS] == 2 and counts[NO_PALM_CENTRE] == 1
    assert ext.failures[FEWER_THAN_TWO_GAPS] == ['none.jpg', 'one.jpg']
    ext.log_summary()
    mpd = PalmROIExtractor('mpd', out_size=16)
    assert mpd(img, np.array([[3, 3], [9, 3]]), None, hand='l').reason == \
        NO_PALM_CENTRE
    assert mpd(img, np.array([[3, 3], [9, 3]]), None, hand='l',
               ordered=True).ok


def test_bad_configuration_and_points_raise_clear_errors():
    with pytest.raises(ValueError, match='geometry must be one of'):
        PalmROIExtractor('square')
    with pytest.raises(ValueError, match="unknown geometry_cfg keys.*side"):
        PalmROIExtractor('deepmpv_plus', geometry_cfg=dict(side=1.0))
    with pytest.raises(KeyError, match='needs the hand'):
        PalmROIExtractor('mpd')(np.zeros((8, 8)), np.array([[1, 1], [5, 1]]),
                                (3, 6))
    with pytest.raises(ValueError, match="hand must be 'l' or 'r'"):
        mpd_frame((0, 0), (4, 0), 'left')
    with pytest.raises(ValueError, match='palm centre must be a finite'):
        deepmpv_plus_frame((0, 0), (4, 0), (np.nan, 3))
