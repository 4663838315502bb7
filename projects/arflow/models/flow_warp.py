# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Backward warping of images and flows by a dense flow field."""
import torch
import torch.nn.functional as F
from torch import Tensor


def pixel_grid(flow: Tensor) -> Tensor:
    """Pixel coordinates ``(x, y)`` (B, 2, H, W) shaped and typed as ``flow``.

    Args:
        flow (Tensor): Any (B, C, H, W) tensor giving shape, dtype and device.

    Returns:
        Tensor: ``grid[:, 0]`` is the column index, ``grid[:, 1]`` the row.
    """
    batch, _, height, width = flow.shape
    ys, xs = torch.meshgrid(
        torch.arange(height, dtype=flow.dtype, device=flow.device),
        torch.arange(width, dtype=flow.dtype, device=flow.device),
        indexing='ij')
    return torch.stack([xs, ys]).unsqueeze(0).expand(batch, -1, -1, -1)


def flow_warp(image: Tensor,
              flow: Tensor,
              padding_mode: str = 'border',
              mode: str = 'bilinear') -> Tensor:
    """Sample ``image`` at ``x + flow(x)``: ``out(x) = image(x + flow(x))``.

    With ``flow`` the flow from frame 1 to frame 2 and ``image`` frame 2, the
    result reconstructs frame 1 (ARFlow's photometric loss, Eq. 1 of
    `Learning by Analogy <https://arxiv.org/abs/2003.13045>`_). Coordinates
    follow ``align_corners=True`` (pixel centres at integers), as the
    official code; outside the image ``padding_mode`` applies (``'border'``
    in ARFlow's loss, ``'zeros'`` for the forward-backward check).

    Args:
        image (Tensor): (B, C, H, W) values to sample.
        flow (Tensor): (B, 2, H, W) displacement ``(u, v)`` in pixels.
        padding_mode (str): ``grid_sample`` padding. Defaults to 'border'.
        mode (str): ``grid_sample`` interpolation. Defaults to 'bilinear'.

    Returns:
        Tensor: The warped image (B, C, H, W).
    """
    if flow.shape[1] != 2 or flow.shape[-2:] != image.shape[-2:]:
        raise ValueError(f'flow_warp: flow {tuple(flow.shape)} must be '
                         f'(B, 2, H, W) matching image {tuple(image.shape)}')
    height, width = image.shape[-2:]
    coords = pixel_grid(flow) + flow
    norm_x = 2.0 * coords[:, 0] / max(width - 1, 1) - 1.0
    norm_y = 2.0 * coords[:, 1] / max(height - 1, 1) - 1.0
    grid = torch.stack([norm_x, norm_y], dim=-1)
    return F.grid_sample(
        image, grid, mode=mode, padding_mode=padding_mode, align_corners=True)
