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
