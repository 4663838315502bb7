# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Per-channel feature statistics shared by MANet and AdaIN."""
from typing import Tuple

from torch import Tensor


def calc_mean_std(feat: Tensor, eps: float = 1e-5) -> Tuple[Tensor, Tensor]:
    """Per-sample, per-channel mean and standard deviation of a feature map.

    As in `Arbitrary Style Transfer via Multi-Adaptation Network
    <https://arxiv.org/abs/2005.13219>`_ (and AdaIN): with :math:`F` of shape
    ``(B, C, H, W)``,

    .. math::
        \\mu_{bc} = \\frac{1}{HW} \\sum_{hw} F_{bchw}, \\qquad
        \\sigma_{bc} = \\sqrt{\\operatorname{Var}_{hw}(F_{bc}) + \\epsilon}

    with the unbiased variance (divisor :math:`HW - 1`), as the official
    ``function.py``. A single position (``H = W = 1``) has no unbiased
    variance and is rejected.

    Args:
        feat (Tensor): Features of shape ``(B, C, H, W)``.
        eps (float): Added to the variance. Defaults to 1e-5.

    Returns:
        tuple[Tensor, Tensor]: Mean and std, each ``(B, C, 1, 1)``.
    """
    if feat.dim() != 4:
        raise ValueError('calc_mean_std expects (B, C, H, W) features, got '
                         f'shape {tuple(feat.shape)}')
    batch, channels = feat.shape[:2]
    if feat.shape[2] * feat.shape[3] < 2:
        raise ValueError('calc_mean_std needs at least 2 positions per '
                         f'channel, got shape {tuple(feat.shape)}')
    flat = feat.reshape(batch, channels, -1)
    std = (flat.var(dim=2) + eps).sqrt().view(batch, channels, 1, 1)
    mean = flat.mean(dim=2).view(batch, channels, 1, 1)
    return mean, std


def mean_std_normalise(feat: Tensor, eps: float = 1e-5) -> Tensor:
    """Instance-normalise features per channel (``normal`` of the official
    code, the "whitening" of the paper's figure):
    :math:`(F - \\mu) / \\sigma` with :func:`calc_mean_std`.

    Args:
        feat (Tensor): Features of shape ``(B, C, H, W)``.
        eps (float): Added to the variance. Defaults to 1e-5.

    Returns:
        Tensor: Normalised features, same shape.
    """
    mean, std = calc_mean_std(feat, eps)
    return (feat - mean) / std
