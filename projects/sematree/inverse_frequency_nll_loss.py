# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""NLL loss with per-batch inverse-frequency class weights (SemaTree)."""
import torch
import torch.nn as nn
from mmseg.registry import MODELS
from torch import Tensor


def inverse_frequency_weights(target: Tensor, num_classes: int,
                              ignore_index: int = 255) -> Tensor:
    """Per-batch class weights ``w_c = 1 - n_c / sum_k n_k``, 0 if absent.

    Args:
        target (Tensor): Integer targets of any shape.
        num_classes (int): Number of classes ``C``.
        ignore_index (int): Target that is not counted. Defaults to 255.

    Returns:
        Tensor: Weights of shape ``(C,)``.
    """
    valid = target[target != ignore_index]
    counts = torch.bincount(valid.flatten(), minlength=num_classes).float()
    total = counts.sum().clamp_min(1.0)
    return torch.where(counts > 0, 1.0 - counts / total,
                       torch.zeros_like(counts))


@MODELS.register_module()
class InverseFrequencyNLLLoss(nn.Module):
    """Negative log-likelihood with per-batch inverse-frequency weights, as in
    `Learning Semantic Neural Tree for Human Parsing
    <https://arxiv.org/abs/1912.09622>`_:

    .. math::
        L = \\lambda \\frac{\\sum_i w_{y_i} (-\\log p_{i, y_i})}
            {\\sum_i w_{y_i}}, \\quad w_c = 1 - n_c / \\sum_k n_k

    where ``n_c`` counts the non-ignored pixels of class ``c`` in the batch
    and ``w_c = 0`` for absent classes. When every counted pixel has weight
    0 (one class only, or everything ignored) the loss is 0 with gradients.

    Args:
        loss_weight (float): The factor ``lambda``. Defaults to 1.0.
        ignore_index (int): Target that is ignored. Defaults to 255.
        loss_name (str): Key of the loss in the log. Defaults to
            'loss_nll'.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 ignore_index: int = 255,
                 loss_name: str = 'loss_nll') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.ignore_index = ignore_index
        self._loss_name = loss_name

    def forward(self, log_probs: Tensor, target: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            log_probs (Tensor): Log-probabilities ``(N, C, H, W)``.
            target (Tensor): Targets ``(N, H, W)`` in ``[0, C)`` or ignore.

        Returns:
            Tensor: The weighted loss, a scalar.
        """
        if log_probs.dim() != 4 or target.shape != (
                log_probs.shape[0], *log_probs.shape[2:]):
            raise ValueError(
                f'{self._loss_name}: log_probs (N, C, H, W) and target '
                f'(N, H, W) do not match: {tuple(log_probs.shape)} vs '
                f'{tuple(target.shape)}')
        weight = inverse_frequency_weights(target, log_probs.shape[1],
                                           self.ignore_index)
        valid = target != self.ignore_index
        safe = target.masked_fill(~valid, 0)
        # Gather by hand: F.nll_loss(reduction='sum', ignore_index=255)
        # returns NaN for 4D inputs on torch 2.14 CPU.
        nll = -log_probs.gather(1, safe.unsqueeze(1)).squeeze(1)
        pixel_weight = torch.where(valid, weight.to(log_probs.dtype)[safe],
                                   torch.zeros_like(nll))
        denominator = pixel_weight.sum()
        if denominator <= 0:
            return log_probs.sum() * 0.0
        loss = torch.where(pixel_weight > 0, pixel_weight * nll,
                           torch.zeros_like(nll)).sum() / denominator
        return self.loss_weight * loss

    @property
    def loss_name(self) -> str:
        """Key of the loss in the log (mmseg's convention)."""
        return self._loss_name
