# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The AdaIN baseline on MANet's encoder and decoder."""
from typing import Dict, Optional

import torch.nn.functional as F
from mmpretrain.registry import MODELS
from torch import Tensor

from .adaptive_instance_norm import adaptive_instance_norm
from .style_losses import mean_std_style_loss
from .style_transfer_model import BaseStyleTransfer


@MODELS.register_module()
class AdaINStyleTransfer(BaseStyleTransfer):
    """AdaIN, `Arbitrary Style Transfer in Real-time with Adaptive Instance
    Normalization <https://arxiv.org/abs/1703.06868>`_, as the baseline of
    `Arbitrary Style Transfer via Multi-Adaptation Network
    <https://arxiv.org/abs/2005.13219>`_: the same frozen normalised VGG
    and mirror decoder, with :math:`t = \\operatorname{AdaIN}(F_c, F_s)` at
    relu4_1 instead of the multi-adaptation module, and AdaIN's own losses
    (``naoto0804/pytorch-AdaIN`` ``net.py``/``train.py``):

    .. math::
        L = \\lambda_c \\|\\phi_4(D(t)) - t\\|^2 + \\lambda_s
        \\textstyle\\sum_{1..4} \\|\\mu(\\phi_i(D(t))) -
        \\mu(\\phi_i(I_s))\\|^2
        + \\|\\sigma(\\cdot) - \\sigma(\\cdot)\\|^2

    with :math:`\\lambda_c = 1, \\lambda_s = 10`. Prediction mixes
    :math:`\\alpha t + (1 - \\alpha) F_c`. ``content1``/``style1`` are
    ignored.

    Args:
        encoder (dict): :class:`NormalisedVGG19Encoder` config.
        decoder (dict): :class:`MirrorVGGDecoder` config.
        content_weight (float): :math:`\\lambda_c`. Defaults to 1.0.
        style_weight (float): :math:`\\lambda_s`. Defaults to 10.0.
        alpha (float): Content-style trade-off at prediction. Defaults to
            1.0.
        data_preprocessor (dict, optional): Defaults to
            ``dict(type='StyleTransferDataPreprocessor')``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 encoder: dict,
                 decoder: dict,
                 content_weight: float = 1.0,
                 style_weight: float = 10.0,
                 alpha: float = 1.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            encoder=encoder,
            decoder=decoder,
            alpha=alpha,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.content_weight = content_weight
        self.style_weight = style_weight

    def transfer(self, content: Tensor, style: Tensor) -> Tensor:
        """:math:`\\operatorname{AdaIN}(F_c, F_s)`."""
        return adaptive_instance_norm(content, style)

    def content_only(self, content: Tensor) -> Tensor:
        """:math:`F_c` itself."""
        return content

    def loss(self,
             content: Tensor,
             style: Tensor,
             content1: Optional[Tensor] = None,
             style1: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """AdaIN's content and style losses of one batch."""
        style_feats = self.encode(style, 4)
        target = self.transfer(self.encode(content, 4)[3], style_feats[3])
        output_feats = self.encode(
            self.decode(target, content.shape[-2:]), 4)
        return dict(
            loss_content=self.content_weight *
            F.mse_loss(output_feats[3], target),
            loss_style=self.style_weight *
            mean_std_style_loss(output_feats, style_feats))
