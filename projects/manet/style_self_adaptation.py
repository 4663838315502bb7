# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet's channel-wise style self-adaptation (style SA) block."""
from typing import Optional

import torch
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor, nn

from .feature_statistics import mean_std_normalise


@MODELS.register_module()
class StyleSelfAdaptation(BaseModule):
    """Channel-wise style self-adaptation of `Arbitrary Style Transfer via
    Multi-Adaptation Network <https://arxiv.org/abs/2005.13219>`_.

    With :math:`F_s` the relu4_1 style features (``C x HW``),
    :math:`\\bar F = \\operatorname{norm}(F)` and 1x1 convolutions
    :math:`f, g, h, o`:

    .. math::
        A = \\operatorname{softmax}_{d}\\big(f(F_s)\\, g(F_s)^\\top\\big)
        \\in \\mathbb{R}^{C \\times C}, \\qquad
        F_s' = o\\big(A^\\top h(\\bar F_s)\\big) + F_s

    i.e. output channel :math:`c` is :math:`\\sum_d A_{dc}\\, h(\\bar
    F_s)_d` (the softmax runs over the last index of :math:`A`, the product
    uses its transpose, as the official ``net.py``, ``Style_SA``). Query and
    key see the raw features and the value the normalised ones (the
    paper's figure draws no whitening here; the official code has it on the
    value path, which is kept).

    Args:
        in_channels (int): Channels of the features. Defaults to 512.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int = 512,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.f = nn.Conv2d(in_channels, in_channels, 1)
        self.g = nn.Conv2d(in_channels, in_channels, 1)
        self.h = nn.Conv2d(in_channels, in_channels, 1)
        self.out_conv = nn.Conv2d(in_channels, in_channels, 1)

    def forward(self, style: Tensor) -> Tensor:
        """Adapt ``(B, C, H, W)`` style features; same shape out."""
        query = self.f(style).flatten(2)
        key = self.g(style).flatten(2).permute(0, 2, 1)
        attention = torch.softmax(torch.bmm(query, key), dim=-1)
        value = self.h(mean_std_normalise(style)).flatten(2)
        out = torch.bmm(attention.permute(0, 2, 1), value)
        return self.out_conv(out.view_as(style)) + style
