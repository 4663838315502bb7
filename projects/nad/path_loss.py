# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The NAD path-search loss."""
from typing import Dict, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


def nad_path_loss(logits: torch.Tensor, labels: torch.Tensor,
                  gated_acts: Sequence[torch.Tensor],
                  orig_acts: Sequence[torch.Tensor], correct: torch.Tensor,
                  masks: Sequence[torch.Tensor],
                  beta: float) -> Dict[str, torch.Tensor]:
    """The loss the official ``findpath.py`` minimises for one batch.

    With L gates, gated activations :math:`\\tilde a_l`, the original
    network's activations :math:`a_l`, the set I of images the original
    network classifies correctly and gate parameters :math:`m_l`:

    .. math::
        \\mathcal{L}_{act} = \\frac{1}{L}\\Big[\\mathrm{CE}(z, y) +
            \\sum_l \\mathrm{MSE}(\\tilde a_l[I], a_l[I])\\Big], \\quad
        \\mathcal{L}_{mask} = \\frac{1}{L}\\sum_l
            \\mathrm{mean}(\\sigma(m_l)^2), \\quad
        \\mathcal{L} = \\mathcal{L}_{act} + \\beta\\,\\mathcal{L}_{mask}

    CE is the mean over the whole batch; each MSE is the mean over all
    elements of the selected images; the original activations are detached.

    Args:
        logits (Tensor): Gated network logits z, (N, K).
        labels (Tensor): Labels y, (N,).
        gated_acts (list[Tensor]): Gated activations, one (N, C_l, ...) per
            gate.
        orig_acts (list[Tensor]): The original network's activations at
            the same positions.
        correct (Tensor): Indices I (non-empty; the official loop skips a
            batch without correct images).
        masks (list[Tensor]): Gate parameters m_l.
        beta (float): Weight of the sparsity term.

    Returns:
        dict: ``loss``, ``loss_activ`` and ``loss_mask`` (scalars).
    """
    if len(gated_acts) != len(orig_acts) or len(gated_acts) != len(masks):
        raise ValueError(
            f'nad_path_loss: {len(gated_acts)} gated activations, '
            f'{len(orig_acts)} original activations and {len(masks)} masks')
    if not masks:
        raise ValueError('nad_path_loss: no gates')
    if correct.numel() == 0:
        raise ValueError('nad_path_loss: no correctly classified image in '
                         'the batch (the search skips such batches)')
    num_layers = float(len(masks))
    loss_activ = F.cross_entropy(logits, labels)
    for gated, orig in zip(gated_acts, orig_acts):
        loss_activ = loss_activ + F.mse_loss(gated[correct],
                                             orig[correct].detach())
    loss_activ = loss_activ / num_layers
    loss_mask = sum(torch.sigmoid(m).pow(2).mean() for m in masks)
    loss_mask = loss_mask / num_layers
    return dict(loss=loss_activ + beta * loss_mask,
                loss_activ=loss_activ,
                loss_mask=loss_mask)


@MODELS.register_module()
class NADPathLoss(BaseModule):
    """Module form of :func:`nad_path_loss` with a fixed beta.

    `Architecture Disentanglement for Deep Neural Networks
    <https://arxiv.org/abs/2003.13268>`_; see :func:`nad_path_loss` for the
    equation.

    Args:
        beta (float): Weight of the sparsity term (the official table:
            :data:`projects.nad.gate_presets.OFFICIAL_BETAS`).
            Defaults to 0.02 (ResNet-50 on ImageNet).
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 beta: float = 0.02,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if beta < 0:
            raise ValueError(f'NADPathLoss: beta must be >= 0, got {beta}')
        self.beta = beta

    def forward(self, logits: torch.Tensor, labels: torch.Tensor,
                gated_acts: Sequence[torch.Tensor],
                orig_acts: Sequence[torch.Tensor], correct: torch.Tensor,
                masks: Sequence[torch.Tensor]) -> Dict[str, torch.Tensor]:
        """See :func:`nad_path_loss`."""
        return nad_path_loss(logits, labels, gated_acts, orig_acts, correct,
                             masks, self.beta)
