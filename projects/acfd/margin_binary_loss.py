# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MBC: ACFD's margin binary classification loss."""
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.losses.focal_loss import py_sigmoid_focal_loss
from mmdet.models.losses.utils import weight_reduce_loss
from mmdet.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class MarginBinaryClassificationLoss(nn.Module):
    """Margin binary classification (MBC) loss of `ACFD: Asymmetric Cartoon
    Face Detector <https://arxiv.org/abs/2007.00899>`_.

    Per class, a sigmoid classifier whose logit :math:`z` must clear a
    margin :math:`m`: positives are scored on :math:`s(z - m)` and negatives
    on :math:`s(z + m)`, i.e. on

    .. math::
        z' = s\\,(z - m\\,(2y - 1)), \\qquad
        L = -\\alpha_t (1 - p_t)^{\\gamma} \\log p_t, \\quad
        p = \\sigma(z')

    with focal weighting (``use_focal=True``, RetinaNet's :math:`\\alpha_t`,
    :math:`\\gamma`) or plain binary cross-entropy. Positive logits are
    pushed above :math:`+m` and negative ones below :math:`-m`; at test time
    the plain :math:`\\sigma(z)` is the score. With :math:`m = 0, s = 1` the
    loss equals mmdet's sigmoid focal loss (or BCE) exactly. The paper names
    the loss; its form is our reconstruction (``configs/acfd/README.md``).

    Args:
        margin (float): :math:`m`. Defaults to 0.5.
        scale (float): :math:`s`. Defaults to 1.0.
        use_focal (bool): Focal weighting; False gives BCE.
            Defaults to True.
        gamma (float): Focal :math:`\\gamma`. Defaults to 2.0.
        alpha (float): Focal :math:`\\alpha`. Defaults to 0.25.
        reduction (str): 'none', 'mean' or 'sum'. Defaults to 'mean'.
        loss_weight (float): Weight of the loss. Defaults to 1.0.
        use_sigmoid (bool): Must be True (kept so that mmdet heads that read
            ``loss_cls.use_sigmoid`` work). Defaults to True.
    """

    def __init__(self,
                 margin: float = 0.5,
                 scale: float = 1.0,
                 use_focal: bool = True,
                 gamma: float = 2.0,
                 alpha: float = 0.25,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0,
                 use_sigmoid: bool = True) -> None:
        super().__init__()
        if not use_sigmoid:
            raise ValueError('MarginBinaryClassificationLoss is a sigmoid '
                             'loss: use_sigmoid must be True')
        if margin < 0 or scale <= 0:
            raise ValueError(f'margin must be >= 0 and scale > 0, got '
                             f'{margin} and {scale}')
        self.use_sigmoid = True
        self.margin = margin
        self.scale = scale
        self.use_focal = use_focal
        self.gamma = gamma
        self.alpha = alpha
        self.reduction = reduction
        self.loss_weight = loss_weight

    def margin_logits(self, pred: Tensor, one_hot: Tensor) -> Tensor:
        """:math:`z' = s (z - m (2y - 1))`."""
        return self.scale * (pred - self.margin * (2 * one_hot - 1))

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Logits, (N, C).
            target (Tensor): Class indices (N, ) with ``C`` for background,
                or one-hot/soft targets (N, C).
            weight (Tensor, optional): Per-sample (N, ) or per-logit weights.
            avg_factor (float, optional): Normaliser of the mean.
            reduction_override (str, optional): Overrides ``reduction``.

        Returns:
            Tensor: The loss.
        """
        reduction = reduction_override or self.reduction
        if pred.dim() != 2:
            raise ValueError(f'pred must be (N, C) logits, got shape '
                             f'{tuple(pred.shape)}')
        if target.dim() == 1:
            if target.numel() and (target.min() < 0
                                   or target.max() > pred.size(1)):
                raise ValueError(
                    f'labels must be in [0, {pred.size(1)}] (the last is '
                    f'background), got [{int(target.min())}, '
                    f'{int(target.max())}]')
            one_hot = F.one_hot(target, pred.size(1) + 1)[:, :-1]
        else:
            one_hot = target
        one_hot = one_hot.type_as(pred)
        logits = self.margin_logits(pred, one_hot)
        if self.use_focal:
            loss = py_sigmoid_focal_loss(logits, one_hot, weight, self.gamma,
                                         self.alpha, reduction, avg_factor)
        else:
            loss = F.binary_cross_entropy_with_logits(
                logits, one_hot, reduction='none')
            if weight is not None and weight.dim() == 1:
                weight = weight[:, None]
            loss = weight_reduce_loss(loss, weight, reduction, avg_factor)
        return self.loss_weight * loss
