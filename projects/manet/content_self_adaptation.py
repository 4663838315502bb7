# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet's position-wise content self-adaptation (content SA) block."""
from mmpretrain.registry import MODELS
from torch import Tensor

from .co_adaptation import CoAdaptation


@MODELS.register_module()
class ContentSelfAdaptation(CoAdaptation):
    """Position-wise content self-adaptation of `Arbitrary Style Transfer
    via Multi-Adaptation Network <https://arxiv.org/abs/2005.13219>`_.

    With :math:`F_c` the relu4_1 content features (``C x HW``),
    :math:`\\bar F = \\operatorname{norm}(F)` the per-channel mean/std
    normalisation and :math:`f, g, h, o` 1x1 convolutions:

    .. math::
        A = \\operatorname{softmax}_j\\big(f(\\bar F_c)^\\top
        g(\\bar F_c)\\big) \\in \\mathbb{R}^{HW \\times HW}, \\qquad
        F_c' = o\\big(h(F_c) A^\\top\\big) + F_c

    Query and key see the normalised features, the value the raw ones, and
    the residual adds the raw input (official ``net.py``, ``Content_SA``):
    the co-adaptation of the content with itself, so it reuses
    :class:`CoAdaptation` (same parameters ``f, g, h, out_conv``).

    Args:
        in_channels (int): Channels of the features. Defaults to 512.
        max_attention_elements (int, optional): Chunk the queries when the
            attention map would exceed this many entries (see
            :func:`position_attention`). Defaults to None.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None (PyTorch's default conv initialisation, as the
            official code).
    """

    def forward(self, content: Tensor) -> Tensor:  # type: ignore[override]
        """Adapt ``(B, C, H, W)`` content features; same shape out."""
        return super().forward(content, content)
