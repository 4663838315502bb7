# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Soft-target distillation loss used by DGD's distillation branch."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


def soft_target_kd_loss(student: torch.Tensor,
                        teacher: torch.Tensor,
                        temperature: float = 2.0,
                        soften_teacher: bool = True) -> torch.Tensor:
    """Hinton soft-target cross-entropy, scaled by T^2.

    .. math::
        L = T^2 \\frac{1}{B} \\sum_b \\sum_k
        -\\mathrm{softmax}(z^t_b / T')_k \\log \\mathrm{softmax}(z^s_b / T)_k

    with :math:`T' = T` (``soften_teacher=True``, Hinton) or :math:`T' = 1`
    (the official grafting repo's ``distillation.py``). The teacher is
    detached.

    Args:
        student (Tensor): Student logits (B, K).
        teacher (Tensor): Teacher logits (B, K).
        temperature (float): T. Defaults to 2.0.
        soften_teacher (bool): Divide the teacher logits by T too.
            Defaults to True.

    Returns:
        Tensor: The scalar loss (0 for an empty batch).
    """
    if student.ndim != 2 or student.shape != teacher.shape:
        raise ValueError('soft_target_kd_loss: student and teacher logits '
                         'must both be (B, K); got '
                         f'{tuple(student.shape)} and {tuple(teacher.shape)}')
    if temperature <= 0:
        raise ValueError(f'soft_target_kd_loss: temperature must be > 0, '
                         f'got {temperature}')
    if student.shape[0] == 0:
        return student.sum() * 0
    t_scale = temperature if soften_teacher else 1.0
    target = F.softmax(teacher.detach() / t_scale, dim=1)
    log_prob = F.log_softmax(student / temperature, dim=1)
    return -(target * log_prob).sum(dim=1).mean() * temperature**2


@MODELS.register_module()
class PeerKDLoss(BaseModule):
    """Distillation from soft targets (DGD, arXiv 2004.12311).

    ``loss_weight * T^2 * CE(softmax(z_t / T), softmax(z_s / T))``, see
    :func:`soft_target_kd_loss`.

    Args:
        temperature (float): T. Defaults to 2.0 (official grafting repo).
        loss_weight (float): Weight of the term. Defaults to 1.0.
        soften_teacher (bool): Divide the teacher logits by T. Defaults to
            True; False reproduces the official ``distillation.py``.
        init_cfg (dict, optional): Defaults to None (no parameters).
    """

    def __init__(self,
                 temperature: float = 2.0,
                 loss_weight: float = 1.0,
                 soften_teacher: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if temperature <= 0:
            raise ValueError(f'PeerKDLoss: temperature must be > 0, got '
                             f'{temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight
        self.soften_teacher = soften_teacher

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        """Weighted soft-target loss of ``student`` towards ``teacher``."""
        return self.loss_weight * soft_target_kd_loss(
            student, teacher, self.temperature, self.soften_teacher)
