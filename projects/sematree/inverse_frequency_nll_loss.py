# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""NLL loss with per-batch inverse-frequency class weights (SemaTree)."""
import torch
import torch.nn as nn
from mmengine.dist import all_reduce, get_world_size
from mmseg.registry import MODELS
from torch import Tensor


def _sum_over_ranks(x: Tensor) -> Tensor:
    """Sum a no-grad tensor over the ranks (itself with one process)."""
    if get_world_size() > 1:
        x = x.clone()
        all_reduce(x, op='sum')
    return x


def inverse_frequency_weights(target: Tensor,
                              num_classes: int,
                              ignore_index: int = 255,
                              across_ranks: bool = False) -> Tensor:
    """Per-batch class weights ``w_c = 1 - n_c / sum_k n_k``, 0 if absent.

    Args:
        target (Tensor): Integer targets of any shape.
        num_classes (int): Number of classes ``C``.
        ignore_index (int): Target that is not counted. Defaults to 255.
        across_ranks (bool): Count the pixels of the whole batch, summed
            over the ranks. Defaults to False.

    Returns:
        Tensor: Weights of shape ``(C,)``.
    """
    valid = target[target != ignore_index]
    counts = torch.bincount(valid.flatten(), minlength=num_classes).float()
    if across_ranks:
        counts = _sum_over_ranks(counts)
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

    The official code trains on one GPU with the whole batch of 24, so
    ``n_c`` and the sums run over all 24 images. With ``whole_batch=True``
    and :math:`W` processes, the counts and the denominator are summed over
    the ranks (no gradient), and rank :math:`r` returns
    :math:`W \\lambda \\sum_{i \\in r} w_{y_i} (-\\log p_{i,y_i}) /
    \\sum_{\\text{all } i} w_{y_i}`: the mean of these over the ranks is
    the loss of the whole batch, and so is the gradient after DDP's
    averaging. Without it, each rank weights its own images.

    Args:
        loss_weight (float): The factor ``lambda``. Defaults to 1.0.
        ignore_index (int): Target that is ignored. Defaults to 255.
        whole_batch (bool): Class weights and normaliser from the batch of
            all ranks. Defaults to False (each rank's own images).
        loss_name (str): Key of the loss in the log. Defaults to
            'loss_nll'.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 ignore_index: int = 255,
                 loss_name: str = 'loss_nll',
                 whole_batch: bool = False) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.whole_batch = whole_batch
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
                                           self.ignore_index,
                                           self.whole_batch)
        valid = target != self.ignore_index
        safe = target.masked_fill(~valid, 0)
        # Gather by hand: F.nll_loss(reduction='sum', ignore_index=255)
        # returns NaN for 4D inputs on torch 2.14 CPU.
        nll = -log_probs.gather(1, safe.unsqueeze(1)).squeeze(1)
        pixel_weight = torch.where(valid, weight.to(log_probs.dtype)[safe],
                                   torch.zeros_like(nll))
        denominator = pixel_weight.sum().detach()
        scale = 1.0
        if self.whole_batch and get_world_size() > 1:
            denominator = _sum_over_ranks(denominator)
            scale = float(get_world_size())
        if denominator <= 0:
            return log_probs.sum() * 0.0
        loss = torch.where(pixel_weight > 0, pixel_weight * nll,
                           torch.zeros_like(nll)).sum() / denominator
        return self.loss_weight * scale * loss

    @property
    def loss_name(self) -> str:
        """Key of the loss in the log (mmseg's convention)."""
        return self._loss_name
