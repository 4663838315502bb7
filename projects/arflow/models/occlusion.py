# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Occlusion estimates of ARFlow's unsupervised loss."""
import torch
from torch import Tensor

from .flow_warp import flow_warp, pixel_grid


def forward_backward_occlusion(flow_fw: Tensor,
                               flow_bw: Tensor,
                               scale: float = 0.01,
                               bias: float = 0.5) -> Tensor:
    """Forward-backward consistency occlusion (UnFlow's rule).

    A pixel of frame 1 is occluded when

    .. math::
        |F_{12} + \\hat F_{21}|^2 > \\alpha_1 (|F_{12}|^2 +
        |\\hat F_{21}|^2) + \\alpha_2, \\quad \\hat F_{21}(x) =
        F_{21}(x + F_{12}(x)),

    with ``alpha_1 = 0.01``, ``alpha_2 = 0.5`` and zero padding for the
    warped backward flow (`Learning by Analogy
    <https://arxiv.org/abs/2003.13045>`_, official ``get_occu_mask_
    bidirection``).

    Args:
        flow_fw (Tensor): (B, 2, H, W) flow 1 -> 2.
        flow_bw (Tensor): (B, 2, H, W) flow 2 -> 1.
        scale (float): ``alpha_1``. Defaults to 0.01.
        bias (float): ``alpha_2``. Defaults to 0.5.

    Returns:
        Tensor: (B, 1, H, W) float, 1 where frame 1 is occluded.
    """
    warped = flow_warp(flow_bw, flow_fw, padding_mode='zeros')
    diff = ((flow_fw + warped)**2).sum(1, keepdim=True)
    mag = (flow_fw**2).sum(1, keepdim=True) + (warped**2).sum(1, keepdim=True)
    return (diff > scale * mag + bias).float()


def range_map(flow_bw: Tensor) -> Tensor:
    """How much of frame 2 lands on each pixel of frame 1 under ``F_21``.

    Every pixel ``x`` of frame 2 splats weight 1 bilinearly at
    ``x + F_21(x)``; splats outside the image are dropped.

    Args:
        flow_bw (Tensor): (B, 2, H, W) flow 2 -> 1.

    Returns:
        Tensor: (B, 1, H, W) the accumulated weights.
    """
    batch, _, height, width = flow_bw.shape
    target = (pixel_grid(flow_bw) + flow_bw).reshape(batch, 2, -1)
    x0 = torch.floor(target[:, 0])
    y0 = torch.floor(target[:, 1])
    out = flow_bw.new_zeros(batch, height * width)
    for dx in (0, 1):
        for dy in (0, 1):
            xc, yc = x0 + dx, y0 + dy
            weight = (1 - (target[:, 0] - xc).abs()) * \
                (1 - (target[:, 1] - yc).abs())
            inside = (xc >= 0) & (xc <= width - 1) & (yc >= 0) & \
                (yc <= height - 1)
            index = (yc.clamp(0, height - 1) * width +
                     xc.clamp(0, width - 1)).long()
            out.scatter_add_(1, index, weight * inside)
    return out.view(batch, 1, height, width)


def range_map_occlusion(flow_bw: Tensor, threshold: float = 0.2) -> Tensor:
    """Occlusion of frame 1 from the backward flow's range map.

    A pixel of frame 1 is occluded when ``clamp(R(x), 0, 1) < threshold``,
    ``R`` the :func:`range_map` of ``F_21`` (stage 1 of ARFlow's
    pre-training, official ``get_occu_mask_backward`` with ``th=0.2``).

    Args:
        flow_bw (Tensor): (B, 2, H, W) flow 2 -> 1.
        threshold (float): Defaults to 0.2.

    Returns:
        Tensor: (B, 1, H, W) float, 1 where frame 1 is occluded.
    """
    return (range_map(flow_bw).clamp(0, 1) < threshold).float()
