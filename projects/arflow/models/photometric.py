# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Per-pixel photometric distances of ARFlow's unsupervised loss."""
import torch
import torch.nn.functional as F
from torch import Tensor

# ITU-R 601 luma weights, as the census transform of UnFlow / ARFlow.
_LUMA = (0.2989, 0.5870, 0.1140)


def ssim_distance(x: Tensor, y: Tensor, radius: int = 1) -> Tensor:
    """``clamp((1 - SSIM(x, y)) / 2, 0, 1)`` on ``(2r + 1)^2`` windows.

    `Learning by Analogy <https://arxiv.org/abs/2003.13045>`_ (stage 1 of
    pre-training) uses

    .. math::
        \\mathrm{SSIM} = \\frac{(2\\mu_x\\mu_y + C_1)(2\\sigma_{xy} + C_2)}
        {(\\mu_x^2 + \\mu_y^2 + C_1)(\\sigma_x^2 + \\sigma_y^2 + C_2)},
        \\quad C_1 = 0.01^2,\\ C_2 = 0.03^2,

    with box-window statistics, per channel, without padding.

    Args:
        x (Tensor): (B, C, H, W).
        y (Tensor): (B, C, H, W).
        radius (int): Window radius. Defaults to 1 (3x3).

    Returns:
        Tensor: (B, C, H - 2r, W - 2r).
    """
    size = 2 * radius + 1
    c1, c2 = 0.01**2, 0.03**2
    mu_x = F.avg_pool2d(x, size, 1, 0)
    mu_y = F.avg_pool2d(y, size, 1, 0)
    sigma_x = F.avg_pool2d(x * x, size, 1, 0) - mu_x**2
    sigma_y = F.avg_pool2d(y * y, size, 1, 0) - mu_y**2
    sigma_xy = F.avg_pool2d(x * y, size, 1, 0) - mu_x * mu_y
    num = (2 * mu_x * mu_y + c1) * (2 * sigma_xy + c2)
    den = (mu_x**2 + mu_y**2 + c1) * (sigma_x + sigma_y + c2)
    return torch.clamp((1 - num / den) / 2, 0, 1)


def _census(image: Tensor, radius: int) -> Tensor:
    """Soft census signature: ``t / sqrt(0.81 + t^2)``, ``t`` the grey-level
    (0-255) difference of each neighbour to the centre (zero padding)."""
    luma = image.new_tensor(_LUMA).view(1, 3, 1, 1)
    grey = (image * luma).sum(dim=1, keepdim=True) * 255
    size = 2 * radius + 1
    neighbours = F.unfold(grey, size, padding=radius).view(
        grey.shape[0], size * size, *grey.shape[-2:])
    diff = neighbours - grey
    return diff / torch.sqrt(0.81 + diff**2)


def ternary_distance(x: Tensor, y: Tensor, radius: int = 1) -> Tensor:
    """Soft Hamming distance of census transforms (UnFlow's ternary loss).

    .. math::
        d = \\frac{1}{K} \\sum_k \\frac{(t_x^k - t_y^k)^2}
        {0.1 + (t_x^k - t_y^k)^2}, \\quad
        t^k = \\frac{\\Delta_k}{\\sqrt{0.81 + \\Delta_k^2}},

    ``K = (2r + 1)^2`` neighbour differences ``Delta_k`` of grey levels in
    [0, 255] (images in [0, 1], RGB), zeroed on the ``r``-pixel border.

    Args:
        x (Tensor): (B, 3, H, W) RGB in [0, 1].
        y (Tensor): (B, 3, H, W) RGB in [0, 1].
        radius (int): Census radius. Defaults to 1.

    Returns:
        Tensor: (B, 1, H, W).
    """
    dist = (_census(x, radius) - _census(y, radius))**2
    dist = (dist / (0.1 + dist)).mean(dim=1, keepdim=True)
    border = torch.zeros_like(dist)
    border[..., radius:dist.shape[-2] - radius,
           radius:dist.shape[-1] - radius] = 1
    return dist * border
