# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The margin-based classification half of ASFD's DRMC loss."""
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.losses.cross_entropy_loss import cross_entropy
from mmdet.registry import MODELS
from torch import Tensor

from projects.acfd import MarginBinaryClassificationLoss


@MODELS.register_module()
class MarginCrossEntropyLoss(nn.Module):
    """Margin-based classification (MC) loss of `ASFD: Automatic and
    Scalable Face Detector <https://arxiv.org/abs/2003.11228>`_.

    DRMC pairs it with distance-based (DIoU) regression. Softmax form: the
    true class's logit gives up a margin :math:`m` before a scaled softmax,

    .. math::
        L = -\\log \\frac{e^{s (z_y - m)}}{e^{s (z_y - m)}
            + \\sum_{j \\neq y} e^{s z_j}}

    so :math:`z_y` must beat the others by :math:`m` (background included,
    index ``C``). Sigmoid form (``use_sigmoid=True``): per class,
    :math:`z' = s (z - m (2y - 1))` under binary cross-entropy or focal
    weighting, which is ACFD's :class:`MarginBinaryClassificationLoss`
    (reused, not rewritten). With :math:`m = 0, s = 1` both forms equal the
    plain (binary) cross-entropy. The paper names the loss; the formula is
    our reconstruction (``configs/asfd/README.md``).

    Args:
        use_sigmoid (bool): Sigmoid form instead of softmax.
            Defaults to False.
        margin (float): :math:`m >= 0`. Defaults to 0.2.
        scale (float): :math:`s > 0`. Defaults to 1.0.
        use_focal (bool): Sigmoid form only: focal weighting.
            Defaults to False.
        gamma (float): Focal gamma. Defaults to 2.0.
        alpha (float): Focal alpha. Defaults to 0.25.
        reduction (str): 'none', 'mean' or 'sum'. Defaults to 'mean'.
        loss_weight (float): Weight of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 use_sigmoid: bool = False,
                 margin: float = 0.2,
                 scale: float = 1.0,
                 use_focal: bool = False,
                 gamma: float = 2.0,
                 alpha: float = 0.25,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if margin < 0 or scale <= 0:
            raise ValueError(f'MarginCrossEntropyLoss: margin must be >= 0 '
                             f'and scale > 0, got {margin} and {scale}')
        if use_focal and not use_sigmoid:
            raise ValueError('MarginCrossEntropyLoss: use_focal needs '
                             'use_sigmoid=True')
        self.use_sigmoid = use_sigmoid
        self.margin = margin
        self.scale = scale
        self.reduction = reduction
        self.loss_weight = loss_weight
        self._sigmoid_loss = MarginBinaryClassificationLoss(
            margin=margin,
            scale=scale,
            use_focal=use_focal,
            gamma=gamma,
            alpha=alpha,
            reduction=reduction,
            loss_weight=loss_weight) if use_sigmoid else None

    def margin_logits(self, pred: Tensor, label: Tensor) -> Tensor:
        """Softmax form: :math:`s (z - m\\,\\mathrm{onehot}(y))`."""
        one_hot = F.one_hot(label, pred.size(1)).type_as(pred)
        return self.scale * (pred - self.margin * one_hot)

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Logits (N, C + 1) for softmax (last is
                background), (N, C) for sigmoid.
            target (Tensor): Class indices (N, ).
            weight (Tensor, optional): Per-sample weights (N, ).
            avg_factor (float, optional): Normaliser of the mean.
            reduction_override (str, optional): Overrides ``reduction``.

        Returns:
            Tensor: The loss.
        """
        if self._sigmoid_loss is not None:
            return self._sigmoid_loss(pred, target, weight, avg_factor,
                                      reduction_override)
        if pred.dim() != 2 or target.shape != pred.shape[:1]:
            raise ValueError(f'MarginCrossEntropyLoss: pred must be (N, C) '
                             f'and target (N, ), got {tuple(pred.shape)} '
                             f'and {tuple(target.shape)}')
        if target.numel() and (target.min() < 0
                               or target.max() >= pred.size(1)):
            raise ValueError(f'MarginCrossEntropyLoss: labels must be in '
                             f'[0, {pred.size(1) - 1}], got '
                             f'[{int(target.min())}, {int(target.max())}]')
        reduction = reduction_override or self.reduction
        loss = cross_entropy(
            self.margin_logits(pred, target),
            target,
            weight,
            reduction=reduction,
            avg_factor=avg_factor)
        return self.loss_weight * loss
