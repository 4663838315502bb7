# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Photometric, smoothness and occlusion terms against hand computations."""
import math

import pytest
import torch

from projects.arflow.models import (edge_aware_smoothness, flow_warp,
                                    forward_backward_occlusion, range_map,
                                    range_map_occlusion, ssim_distance,
                                    ternary_distance)


def _const_flow(u, v, h=4, w=5):
    flow = torch.zeros(1, 2, h, w)
    flow[:, 0], flow[:, 1] = u, v
    return flow


def test_flow_warp_integer_shift_and_border_padding():
    image = torch.arange(20.).view(1, 1, 4, 5)
    out = flow_warp(image, _const_flow(1, 0))
    # out(x) = image(x + 1): columns shift left, the last repeats (border).
    assert torch.equal(out[..., :4], image[..., 1:])
    assert torch.equal(out[..., 4], image[..., 4])
    zeros = flow_warp(image, _const_flow(0, 1), padding_mode='zeros')
    assert torch.equal(zeros[..., :3, :], image[..., 1:, :])
    assert torch.equal(zeros[..., 3, :], torch.zeros(1, 1, 5))


def test_ssim_distance_of_constant_patches():
    a, b = 0.2, 0.6
    x = torch.full((1, 1, 3, 3), a, dtype=torch.float64)
    y = torch.full((1, 1, 3, 3), b, dtype=torch.float64)
    c1 = 0.01**2
    ssim = (2 * a * b + c1) / (a * a + b * b + c1)  # sigmas are 0
    out = ssim_distance(x, y)
    assert out.shape == (1, 1, 1, 1)
    assert out.item() == pytest.approx((1 - ssim) / 2, rel=1e-5)
    assert ssim_distance(x, x).abs().max() < 1e-6


def test_ternary_distance_by_hand_at_the_centre():
    torch.manual_seed(0)
    x = torch.rand(1, 3, 3, 3)
    y = torch.rand(1, 3, 3, 3)
    luma = torch.tensor([0.2989, 0.5870, 0.1140]).view(1, 3, 1, 1)
    gx = (x * luma).sum(1)[0] * 255
    gy = (y * luma).sum(1)[0] * 255
    total = 0.0
    for i in range(3):
        for j in range(3):
            dx = (gx[i, j] - gx[1, 1]).item()
            dy = (gy[i, j] - gy[1, 1]).item()
            tx = dx / math.sqrt(0.81 + dx * dx)
            ty = dy / math.sqrt(0.81 + dy * dy)
            d = (tx - ty)**2
            total += d / (0.1 + d)
    out = ternary_distance(x, y)
    assert out.shape == (1, 1, 3, 3)
    assert out[0, 0, 1, 1].item() == pytest.approx(total / 9, rel=1e-4)
    # The 1-pixel border is masked out; identical images give 0.
    assert out[0, 0, 0].abs().sum() == 0 and out[0, 0, :, 2].abs().sum() == 0
    assert ternary_distance(x, x).abs().max() == 0


def test_first_order_smoothness_of_a_ramp():
    c = 0.3
    flow = torch.zeros(1, 2, 4, 6)
    flow[:, 0] = c * torch.arange(6.)
    flat = torch.zeros(1, 3, 4, 6)
    # weights 1: (mean over u, v of |d_x|) / 4 = (c / 2) / 4.
    assert edge_aware_smoothness(flow, flat, 10.0, 1).item() == \
        pytest.approx(c / 8)
    edge = flat.clone()
    edge[..., 3:] = 0.5
    # Across the image edge (between columns 2 and 3) the weight is
    # exp(-10 * 0.5); 4 of the 5 column differences keep weight 1.
    expected = (4 + math.exp(-5.0)) / 5 * (c / 2) / 4
    assert edge_aware_smoothness(flow, edge, 10.0, 1).item() == \
        pytest.approx(expected, rel=1e-5)


def test_second_order_smoothness_of_a_parabola_and_a_ramp():
    flow = torch.zeros(1, 2, 4, 6)
    flow[:, 0] = torch.arange(6.)**2
    flat = torch.zeros(1, 3, 4, 6)
    # d_xx u = 2, d_xx v = 0 -> mean 1, halved.
    assert edge_aware_smoothness(flow, flat, 10.0, 2).item() == \
        pytest.approx(0.5)
    ramp = torch.zeros(1, 2, 4, 6)
    ramp[:, 1] = 0.7 * torch.arange(4.).view(4, 1)
    assert edge_aware_smoothness(ramp, flat, 10.0, 2).abs().item() < 1e-6
    with pytest.raises(ValueError, match='order'):
        edge_aware_smoothness(ramp, flat, 10.0, 3)


def test_forward_backward_occlusion_rule():
    fw = _const_flow(1, 0)
    bw = _const_flow(-1, 0)
    occ = forward_backward_occlusion(fw, bw)
    # Consistent inside; the last column samples outside (zero padding):
    # |1|^2 = 1 > 0.01 * (1 + 0) + 0.5.
    assert occ[..., :4].sum() == 0 and occ[..., 4].sum() == 4
    # A mismatch just above / below the threshold at |F12| = |F21| = 0:
    zero = torch.zeros(1, 2, 4, 5)
    assert forward_backward_occlusion(zero, _const_flow(0.71, 0)).sum() == 0
    assert forward_backward_occlusion(zero, _const_flow(0.72, 0))[
        ..., :, :4].all()


def test_range_map_and_its_occlusion():
    zero = torch.zeros(1, 2, 4, 5)
    assert torch.equal(range_map(zero), torch.ones(1, 1, 4, 5))
    shifted = range_map(_const_flow(1, 0))
    # Frame 2 pixels land one column right: column 0 of frame 1 is empty,
    # the last column of frame 2 falls outside.
    assert shifted[..., 0].sum() == 0 and torch.all(shifted[..., 1:] == 1)
    occ = range_map_occlusion(_const_flow(1, 0))
    assert occ[..., 0].all() and occ[..., 1:].sum() == 0
    half = range_map(_const_flow(0.5, 0))
    assert half[0, 0, 0, 0].item() == pytest.approx(0.5)
    assert range_map_occlusion(_const_flow(0.5, 0), 0.6)[0, 0, 0, 0] == 1
