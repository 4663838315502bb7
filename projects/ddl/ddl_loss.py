# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Distribution Distillation Loss (DDL)."""
import logging
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from mmpretrain.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class DistributionDistillationLoss(nn.Module):
    r"""Distribution Distillation Loss from `Improving Face Recognition from
    Hard Samples via Distribution Distillation Loss
    <https://arxiv.org/abs/2002.03662>`_ (ECCV 2020), with the semantics of
    the official ``torchkit/loss/ddl.py`` (Tencent/TFace).

    Branch 0 is the easy (teacher) branch, every later branch a hard
    (student) branch. For branch :math:`b`:

    - positive similarities :math:`s^+_b = \cos(f^a_i, f^b_i)` of its
      positive pairs, keeping only :math:`s^+ > \tau` (``positive_threshold``);
    - negative similarities :math:`s^-_b`, one per sample of its
      classification batch :math:`F`: :math:`\max_j \operatorname{triu}(
      \hat F \hat F^\top, 1)_{ij}`, the largest cosine to a *later* sample.
      As in the official code the zeroed lower triangle takes part in the
      max, so the last row and rows whose later cosines are all negative
      give 0;
    - soft histograms :math:`P(t_k) \propto \sum_i \exp(-\frac{1}{2}
      ((s_i - t_k) / \sigma)^2)` on the bins
      :math:`t_k = t_0 + k\Delta`, normalised to sum 1.

    The loss is

    .. math::

        L = \lambda_1 \sum_{b \ge 1} KL(P^+_0 \| P^+_b)
          + \lambda_2 \sum_{b \ge 1} KL(P^-_0 \| P^-_b)
          + \lambda_3 \sum_{n} \sum_{p} (\overline{s^-_n} - \overline{s^+_p}),

    with :math:`KL(P \| Q) = \sum_k (P_k + \epsilon)(\log(P_k + \epsilon) -
    \log(Q_k + \epsilon))` (``F.kl_div(log(Q + eps), P + eps)`` on one row)
    and the order term over every (negative branch, positive branch) pair.
    The teacher histograms are not detached, as in the official code.

    Args:
        pos_kl_weight (float): :math:`\lambda_1`. Defaults to 0.1.
        neg_kl_weight (float): :math:`\lambda_2`. Defaults to 0.02.
        order_loss_weight (float): :math:`\lambda_3`. Defaults to 0.5.
        positive_threshold (float): :math:`\tau`; positive similarities at
            or below it are left out. Defaults to 0.0.
        sigma (float): Gaussian kernel width :math:`\sigma`. Defaults to 0.1.
        num_bins (int): Number of histogram bins. Defaults to 1000.
        bin_start (float): First bin :math:`t_0`. Defaults to 0.0.
        bin_step (float): Bin spacing :math:`\Delta`. Defaults to 0.001.
        eps (float): :math:`\epsilon` of the KL terms. Defaults to 1e-9.
        skip_empty_positives (bool): What to do with a branch none of whose
            pairs is above :math:`\tau` (its histogram is undefined; the
            official code gives NaN): raise when False; when True leave the
            branch out of the positive KL and the order term, counted in
            ``num_skipped_branches`` and logged. Defaults to False.
    """

    def __init__(self,
                 pos_kl_weight: float = 0.1,
                 neg_kl_weight: float = 0.02,
                 order_loss_weight: float = 0.5,
                 positive_threshold: float = 0.0,
                 sigma: float = 0.1,
                 num_bins: int = 1000,
                 bin_start: float = 0.0,
                 bin_step: float = 0.001,
                 eps: float = 1e-9,
                 skip_empty_positives: bool = False) -> None:
        super().__init__()
        if sigma <= 0 or num_bins < 1 or bin_step <= 0:
            raise ValueError(
                'DistributionDistillationLoss: sigma, bin_step must be > 0 '
                f'and num_bins >= 1, got sigma={sigma}, '
                f'bin_step={bin_step}, num_bins={num_bins}')
        self.pos_kl_weight = pos_kl_weight
        self.neg_kl_weight = neg_kl_weight
        self.order_loss_weight = order_loss_weight
        self.positive_threshold = positive_threshold
        self.sigma = sigma
        self.eps = eps
        self.skip_empty_positives = skip_empty_positives
        self.num_skipped_branches = 0
        # Not a buffer: the bins are fixed by the arguments, not state.
        self.bins = bin_start + bin_step * torch.arange(num_bins,
                                                        dtype=torch.float64)

    def positive_similarities(self,
                              feats_a: Tensor,
                              feats_b: Tensor,
                              branch: int = 0) -> Optional[Tensor]:
        """Cosines of the pairs ``(feats_a[i], feats_b[i])`` above the
        threshold, shape (M,); None when there is none and
        ``skip_empty_positives``."""
        _check_feats(feats_a, f'pos_feats_a[{branch}]', 1)
        if feats_a.shape != feats_b.shape:
            raise ValueError(
                f'DistributionDistillationLoss: pos_feats_a[{branch}] has '
                f'shape {tuple(feats_a.shape)} but pos_feats_b[{branch}] '
                f'has {tuple(feats_b.shape)}')
        sims = F.cosine_similarity(feats_a, feats_b, dim=1)
        kept = sims[sims > self.positive_threshold]
        if kept.numel() == 0 and self.skip_empty_positives:
            self.num_skipped_branches += 1
            print_log(
                f'DistributionDistillationLoss: branch {branch} has no '
                f'positive pair above {self.positive_threshold}; left out '
                f'({self.num_skipped_branches} branches so far)',
                logger='current',
                level=logging.WARNING)
            return None
        if kept.numel() == 0:
            raise ValueError(
                f'DistributionDistillationLoss: no positive pair of branch '
                f'{branch} has a cosine above positive_threshold='
                f'{self.positive_threshold} (of {sims.numel()} pairs); its '
                'histogram is undefined')
        return kept

    def negative_similarities(self, feats: Tensor, branch: int = 0) -> Tensor:
        """Per sample, the largest cosine to a later sample, floored at 0 by
        the zeroed lower triangle (official semantics), shape (N,)."""
        _check_feats(feats, f'neg_feats[{branch}]', 2)
        unit = F.normalize(feats, dim=1)
        return torch.triu(unit @ unit.t(), diagonal=1).max(dim=1)[0]

    def histogram(self, sims: Tensor) -> Tensor:
        """Soft Gaussian histogram of ``sims`` on the bins, summing to 1,
        shape (1, num_bins)."""
        bins = self.bins.to(sims)
        density = torch.exp(
            -0.5 *
            ((sims.view(-1, 1) - bins.view(1, -1)) / self.sigma)**2).sum(
                dim=0, keepdim=True)
        return density / density.sum()

    def _kl_to_teacher(self, hists: List[Optional[Tensor]]) -> Tensor:
        """Sum over (present) students of KL(teacher || student)."""
        total = hists[0].new_zeros(())
        for student in [h for h in hists[1:] if h is not None]:
            total = total + F.kl_div(torch.log(student + self.eps),
                                     hists[0] + self.eps,
                                     reduction='batchmean')
        return total

    def loss_terms(self, neg_feats: Sequence[Tensor],
                   pos_feats_a: Sequence[Tensor],
                   pos_feats_b: Sequence[Tensor]) -> dict:
        """The unweighted terms ``kl_pos``, ``kl_neg`` and ``order``.

        Args:
            neg_feats (Sequence[Tensor]): Per branch, the (N_b, D)
                embeddings of its identity-balanced classification batch.
            pos_feats_a (Sequence[Tensor]): Per branch, the (M_b, D) first
                images of its positive pairs.
            pos_feats_b (Sequence[Tensor]): Per branch, the (M_b, D) second
                images of its positive pairs.

        Returns:
            dict[str, Tensor]: Scalar ``kl_pos``, ``kl_neg``, ``order``.
        """
        _check_branches(neg_feats, pos_feats_a, pos_feats_b)
        pos = [
            self.positive_similarities(a, b, i)
            for i, (a, b) in enumerate(zip(pos_feats_a, pos_feats_b))
        ]
        neg = [
            self.negative_similarities(f, i) for i, f in enumerate(neg_feats)
        ]
        zero = neg[0].new_zeros(())
        order = sum((n.mean() - p.mean() for n in neg
                     for p in pos if p is not None), zero)
        pos_hists = [None if s is None else self.histogram(s) for s in pos]
        return dict(kl_pos=self._kl_to_teacher(pos_hists)
                    if pos_hists[0] is not None else zero,
                    kl_neg=self._kl_to_teacher(
                        [self.histogram(s) for s in neg]),
                    order=order)

    def forward(self, neg_feats: Sequence[Tensor],
                pos_feats_a: Sequence[Tensor],
                pos_feats_b: Sequence[Tensor]) -> Tensor:
        """The weighted total DDL (arguments as :meth:`loss_terms`).

        Returns:
            Tensor: Scalar loss.
        """
        return self.weighted(
            self.loss_terms(neg_feats, pos_feats_a, pos_feats_b))

    def weighted(self, terms: dict) -> Tensor:
        """:math:`\\lambda_1 KL^+ + \\lambda_2 KL^- + \\lambda_3 L_{order}` of
        the terms of :meth:`loss_terms`."""
        return (self.pos_kl_weight * terms['kl_pos'] +
                self.neg_kl_weight * terms['kl_neg'] +
                self.order_loss_weight * terms['order'])


def _check_branches(neg_feats: Sequence[Tensor], pos_feats_a: Sequence[Tensor],
                    pos_feats_b: Sequence[Tensor]) -> None:
    """Raise when the three branch lists are empty or differ in length."""
    lengths = (len(neg_feats), len(pos_feats_a), len(pos_feats_b))
    if len(set(lengths)) != 1:
        raise ValueError(
            'DistributionDistillationLoss: neg_feats, pos_feats_a and '
            f'pos_feats_b must hold one tensor per branch, got {lengths}')
    if lengths[0] == 0:
        raise ValueError(
            'DistributionDistillationLoss: no branch given (branch 0 is the '
            'easy/teacher branch)')


def _check_feats(feats: Tensor, name: str, min_rows: int) -> None:
    """Raise when ``feats`` is not (N, D) with at least ``min_rows`` rows."""
    if feats.dim() != 2:
        raise ValueError(f'DistributionDistillationLoss: {name} must be '
                         f'(N, D), got shape {tuple(feats.shape)}')
    if feats.shape[0] < min_rows:
        raise ValueError(
            f'DistributionDistillationLoss: {name} has {feats.shape[0]} '
            f'rows, needs at least {min_rows}')
