# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
""".flo and KITTI PNG readers/writers: round trips and bad files."""
import cv2
import numpy as np
import pytest

from projects.arflow.datasets import (read_flow, read_flow_kitti, write_flow,
                                      write_flow_kitti)


def test_flo_round_trip_is_exact_and_header_is_width_height(tmp_path):
    rng = np.random.default_rng(0)
    flow = rng.normal(size=(3, 5, 2)).astype(np.float32) * 10
    path = str(tmp_path / 'sub' / 'a.flo')
    write_flow(flow, path)
    raw = np.fromfile(path, np.uint8)
    assert np.frombuffer(raw[:4].tobytes(), np.float32)[0] == 202021.25
    assert list(np.frombuffer(raw[4:12].tobytes(), np.int32)) == [5, 3]
    assert np.array_equal(read_flow(path), flow)


def test_kitti_png_round_trip_to_1_64_px_with_invalid_pixels(tmp_path):
    rng = np.random.default_rng(1)
    flow = rng.uniform(-100, 100, size=(4, 6, 2))
    valid = rng.uniform(size=(4, 6)) > 0.3
    path = str(tmp_path / 'flow' / '000000_10.png')
    write_flow_kitti(flow, path, valid)
    png = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    assert png.dtype == np.uint16 and png.shape == (4, 6, 3)
    back, back_valid = read_flow_kitti(path)
    assert np.array_equal(back_valid, valid.astype(np.float32))
    assert np.abs(back - flow)[valid].max() <= 0.5 / 64 + 1e-9
    assert np.all(back[~valid] == 0)
    # u = (R - 2^15) / 64 with R in the third (BGR) channel.
    r = png[..., 2].astype(np.float64)
    assert np.allclose(back[..., 0][valid], ((r - 2**15) / 64)[valid])


def test_bad_files_name_the_file(tmp_path):
    bad_magic = tmp_path / 'bad.flo'
    np.array([1.0, 0, 0], np.float32).tofile(bad_magic)
    with pytest.raises(ValueError, match='bad.flo.*magic'):
        read_flow(str(bad_magic))
    short = tmp_path / 'short.flo'
    with open(short, 'wb') as f:
        np.array([202021.25], np.float32).tofile(f)
        np.array([4, 4], np.int32).tofile(f)
        np.zeros(5, np.float32).tofile(f)
    with pytest.raises(ValueError, match='short.flo.*needs 32'):
        read_flow(str(short))
    eight_bit = tmp_path / 'rgb.png'
    cv2.imwrite(str(eight_bit), np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match='rgb.png.*16-bit'):
        read_flow_kitti(str(eight_bit))
    with pytest.raises(ValueError, match='missing.png'):
        read_flow_kitti(str(tmp_path / 'missing.png'))
    with pytest.raises(ValueError, match='out.flo'):
        write_flow(np.zeros((4, 4)), str(tmp_path / 'out.flo'))
