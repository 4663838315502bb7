# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Adaptive instance normalisation (the AdaIN baseline's transfer)."""
from torch import Tensor

from .feature_statistics import calc_mean_std


def adaptive_instance_norm(content: Tensor, style: Tensor) -> Tensor:
    """AdaIN of `Arbitrary Style Transfer in Real-time with Adaptive
    Instance Normalization <https://arxiv.org/abs/1703.06868>`_:

    .. math::
        \\operatorname{AdaIN}(x, y) = \\sigma(y) \\frac{x - \\mu(x)}
        {\\sigma(x)} + \\mu(y)

    with the per-channel statistics of :func:`calc_mean_std`.

    Args:
        content (Tensor): ``(B, C, H, W)`` content features.
        style (Tensor): ``(B, C, Hs, Ws)`` style features.

    Returns:
        Tensor: ``(B, C, H, W)``.
    """
    content_mean, content_std = calc_mean_std(content)
    style_mean, style_std = calc_mean_std(style)
    return (content - content_mean) / content_std * style_std + style_mean
