# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet's loss weighting with the gated disentanglement terms."""
from typing import Dict, Optional

from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

_TERMS = ('loss_content', 'loss_style', 'loss_dis_content', 'loss_dis_style',
          'loss_identity1', 'loss_identity2')


@MODELS.register_module()
class MANetLoss(BaseModule):
    """Weights and gates the loss terms of `Arbitrary Style Transfer via
    Multi-Adaptation Network <https://arxiv.org/abs/2005.13219>`_:

    .. math::
        L = \\lambda_c L_c + \\lambda_s L_s + k (L_{dis\\_c} + L_{dis\\_s})
        + \\lambda_{id1} L_{id1} + \\lambda_{id2} L_{id2}, \\qquad
        k = [\\lambda_c L_c + \\lambda_s L_s < \\tau]

    with :math:`\\lambda = (1, 5, 50, 1)` and :math:`\\tau = 10` in the
    official ``train.py`` (the gate turns the disentanglement terms on once
    the stylisation is good enough; it is re-evaluated every iteration on
    the current batch). ``k`` is returned as ``dis_gate`` (logged, not
    summed into the loss).

    Args:
        content_weight (float): :math:`\\lambda_c`. Defaults to 1.0.
        style_weight (float): :math:`\\lambda_s`. Defaults to 5.0.
        identity1_weight (float): :math:`\\lambda_{id1}`. Defaults to 50.0.
        identity2_weight (float): :math:`\\lambda_{id2}`. Defaults to 1.0.
        dis_gate_threshold (float, optional): :math:`\\tau`; None keeps
            the disentanglement terms always on. Defaults to 10.0.
        init_cfg (dict, optional): Unused. Defaults to None.
    """

    def __init__(self,
                 content_weight: float = 1.0,
                 style_weight: float = 5.0,
                 identity1_weight: float = 50.0,
                 identity2_weight: float = 1.0,
                 dis_gate_threshold: Optional[float] = 10.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.weights = dict(
            loss_content=content_weight,
            loss_style=style_weight,
            loss_identity1=identity1_weight,
            loss_identity2=identity2_weight)
        self.dis_gate_threshold = dis_gate_threshold

    def forward(self, terms: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Weight the raw terms (keys ``loss_content``, ``loss_style``,
        ``loss_dis_content``, ``loss_dis_style``, ``loss_identity1``,
        ``loss_identity2``) and add ``dis_gate``."""
        missing = [name for name in _TERMS if name not in terms]
        if missing:
            raise KeyError(f'MANetLoss: missing loss terms {missing}')
        losses = {
            name: terms[name] * self.weights.get(name, 1.0)
            for name in _TERMS
        }
        gate = self._gate(losses['loss_content'] + losses['loss_style'])
        losses['loss_dis_content'] = losses['loss_dis_content'] * gate
        losses['loss_dis_style'] = losses['loss_dis_style'] * gate
        losses['dis_gate'] = gate
        return losses

    def _gate(self, stylisation_loss: Tensor) -> Tensor:
        if self.dis_gate_threshold is None:
            return stylisation_loss.new_ones(())
        return (stylisation_loss.detach() < self.dis_gate_threshold).to(
            stylisation_loss.dtype)
