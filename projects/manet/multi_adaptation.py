# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet's multi-adaptation module: content SA, style SA, co-adaptation."""
from typing import Optional

from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

from .co_adaptation import CoAdaptation
from .content_self_adaptation import ContentSelfAdaptation
from .style_self_adaptation import StyleSelfAdaptation


@MODELS.register_module()
class MultiAdaptationModule(BaseModule):
    """The multi-adaptation module of `Arbitrary Style Transfer via
    Multi-Adaptation Network <https://arxiv.org/abs/2005.13219>`_:

    .. math::
        \\operatorname{MA}(F_c, F_s) = \\operatorname{CA}\\big(
        \\operatorname{SA}_c(F_c), \\operatorname{SA}_s(F_s)\\big)

    on the relu4_1 features (:class:`ContentSelfAdaptation`,
    :class:`StyleSelfAdaptation`, :class:`CoAdaptation`). The official
    ``Multi_Adaptation_Module`` names its blocks ``CSA``, ``SSA`` and ``CA``;
    ``tools/model_converters/manet_to_mm.py`` renames them to
    ``content_sa``, ``style_sa`` and ``co_adaptation``.

    Args:
        in_channels (int): Channels of the relu4_1 features. Defaults to
            512.
        max_attention_elements (int, optional): Query chunking threshold of
            the two position-wise attentions. Defaults to None.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int = 512,
                 max_attention_elements: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.content_sa = ContentSelfAdaptation(in_channels,
                                                max_attention_elements)
        self.style_sa = StyleSelfAdaptation(in_channels)
        self.co_adaptation = CoAdaptation(in_channels,
                                          max_attention_elements)

    def forward(self, content: Tensor, style: Tensor) -> Tensor:
        """Stylise relu4_1 ``content`` ``(B, C, Hc, Wc)`` with ``style``
        ``(B, C, Hs, Ws)``; returns ``(B, C, Hc, Wc)``."""
        return self.co_adaptation(
            self.content_sa(content), self.style_sa(style))
