# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The demo generator's ground truth is exact and its occlusions real."""
import numpy as np
import pytest
import torch

from projects.arflow.models import flow_warp


def test_flow_warps_frame_2_onto_frame_1_where_visible(load_tool):
    gen = load_tool('tools/misc/make_flow_pairs.py')
    frames, flows, occs = gen.make_scene(
        np.random.default_rng(0), 48, 64, 2, n_objects=2)
    assert len(frames) == 2 and len(flows) == 1 and flows[0].shape == (48,
                                                                       64, 2)
    f1, f2 = (torch.from_numpy(f).permute(2, 0, 1)[None].float()
              for f in frames)
    flow = torch.from_numpy(flows[0]).permute(2, 0, 1)[None]
    visible = torch.from_numpy(~occs[0])
    warped = flow_warp(f2, flow)
    err = (warped - f1).abs().mean(1)[0][visible]
    zero = (f2 - f1).abs().mean(1)[0][visible]
    # Only bilinear resampling and 8-bit rounding remain where visible.
    assert err.mean() < 1.5 and err.mean() < 0.1 * zero.mean()
    assert 0 < occs[0].mean() < 0.5
    assert np.abs(flows[0]).max() > 0.5


def test_bad_arguments(load_tool, tmp_path):
    gen = load_tool('tools/misc/make_flow_pairs.py')
    with pytest.raises(ValueError, match='--train-scenes'):
        gen.write_tree(str(tmp_path), 13, 0, 2, 8, 8)
    with pytest.raises(ValueError, match='--frames'):
        gen.write_tree(str(tmp_path), 1, 0, 1, 8, 8)


def test_chairs_layout_parses_and_every_pair_is_a_new_scene(
        load_tool, tmp_path):
    from mmengine.registry import init_default_scope

    from projects.arflow.datasets import FlyingChairs
    init_default_scope('mmseg')
    gen = load_tool('tools/misc/make_flow_pairs.py')
    texture = gen.Texture(blob_area=120.0, sigma=(3.0, 8.0), contrast=135.0)
    assert gen.write_chairs(str(tmp_path), 3, 2, 24, 32, max_speed=8.0,
                            texture=texture) == 5
    with open(tmp_path / 'FlyingChairs_train_val.txt') as f:
        assert f.read().split() == ['1', '1', '1', '2', '2']
    train = FlyingChairs(
        data_root=str(tmp_path), split_file='FlyingChairs_train_val.txt')
    val = FlyingChairs(
        data_root=str(tmp_path),
        split_file='FlyingChairs_train_val.txt',
        split='val')
    assert len(train) == 3 and len(val) == 2
    assert val.get_data_info(0)['img_paths'][0].endswith('00004_img1.ppm')
    # Independent scenes: the first frames differ pair to pair.
    import cv2
    first = [
        cv2.imread(str(tmp_path / 'data' / f'{i:05d}_img1.ppm'))
        for i in (1, 2)
    ]
    assert first[0].shape == (24, 32, 3)
    assert np.abs(first[0].astype(int) - first[1]).mean() > 10
    with pytest.raises(ValueError, match='--train-pairs'):
        gen.write_chairs(str(tmp_path), 0, 1, 8, 8)


def test_texture_options_set_blob_density_size_and_contrast(load_tool):
    gen = load_tool('tools/misc/make_flow_pairs.py')
    texture = gen.Texture(blob_area=120.0, sigma=(3.0, 8.0), contrast=135.0)
    layer = gen._Layer(
        np.random.default_rng(0), 'box', (10.0, 10.0), 10.0, 1.0, 0.0,
        texture)
    assert len(layer.blob_xy) == int(20**2 / 120.0) + 1
    assert 3.0 <= layer.blob_sigma.min() and layer.blob_sigma.max() <= 8.0
    assert np.abs(layer.blob_rgb).max() <= 135.0
    assert np.abs(layer.blob_rgb).max() > 90.0
