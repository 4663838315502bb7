# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet's co-adaptation (CA) block: the style rearranged by the content."""
from typing import Optional

from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor, nn

from .feature_statistics import mean_std_normalise
from .position_attention import position_attention


@MODELS.register_module()
class CoAdaptation(BaseModule):
    """Co-adaptation of `Arbitrary Style Transfer via Multi-Adaptation
    Network <https://arxiv.org/abs/2005.13219>`_.

    With :math:`F_{cc}` and :math:`F_{ss}` the outputs of the content and
    style SA blocks, :math:`\\bar F = \\operatorname{norm}(F)` and 1x1
    convolutions :math:`f, g, h, o`:

    .. math::
        A = \\operatorname{softmax}_j\\big(f(\\bar F_{cc})^\\top
        g(\\bar F_{ss})\\big) \\in \\mathbb{R}^{H_cW_c \\times H_sW_s},
        \\qquad F_{csc} = o\\big(h(F_{ss}) A^\\top\\big) + F_{cc}

    Each content position gathers style features from the style positions
    that match it; content and style may differ in size (official
    ``net.py``, ``CA``).

    Args:
        in_channels (int): Channels of the features. Defaults to 512.
        max_attention_elements (int, optional): Chunk the content queries
            when the attention map would exceed this many entries. Defaults
            to None.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int = 512,
                 max_attention_elements: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.max_attention_elements = max_attention_elements
        self.f = nn.Conv2d(in_channels, in_channels, 1)
        self.g = nn.Conv2d(in_channels, in_channels, 1)
        self.h = nn.Conv2d(in_channels, in_channels, 1)
        self.out_conv = nn.Conv2d(in_channels, in_channels, 1)

    def forward(self, content: Tensor, style: Tensor) -> Tensor:
        """Rearrange ``style`` ``(B, C, Hs, Ws)`` by ``content``
        ``(B, C, Hc, Wc)``; returns ``(B, C, Hc, Wc)``."""
        if content.shape[:2] != style.shape[:2]:
            raise ValueError('CoAdaptation: content and style need the same '
                             f'batch and channels, got {tuple(content.shape)}'
                             f' and {tuple(style.shape)}')
        query = self.f(mean_std_normalise(content)).flatten(2).permute(
            0, 2, 1)
        key = self.g(mean_std_normalise(style)).flatten(2)
        value = self.h(style).flatten(2)
        out = position_attention(query, key, value,
                                 self.max_attention_elements)
        return self.out_conv(out.view_as(content)) + content
