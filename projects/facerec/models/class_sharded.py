# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Class-sharded classification across ranks (model-parallel softmax).

With :math:`C` identities and :math:`W` ranks, rank :math:`r` holds the
classifier rows of classes :math:`[s_r, e_r)` (``np.array_split`` of the
classes). The embeddings of the whole global batch are all-gathered, every
rank computes its slice of the logits :math:`z_{:, s_r:e_r}`, and the
softmax cross-entropy

.. math::
    L = \\frac{1}{N} \\sum_i \\Big(\\log \\sum_r \\sum_{j \\in r}
    e^{z_{ij} - \\mu_i} - (z_{i y_i} - \\mu_i)\\Big), \\quad
    \\mu_i = \\max_r \\max_{j \\in r} z_{ij}

needs only three all-reduces of (N,) vectors. The computation after the
all-reduces is replicated on every rank, so their backward is the identity;
the all-gather's backward sums the embedding gradients over ranks and
multiplies them by :math:`W`, cancelling the :math:`1/W` of DDP's gradient
averaging, so the backbone gets the gradient of the global-batch loss. The
memory of the classifier weight (+ gradient + SGD momentum), about
:math:`3 \\cdot 4 \\cdot D \\cdot C` bytes, is divided by :math:`W`.
"""
from typing import Tuple

import numpy as np
import torch
import torch.distributed as torch_dist
from mmengine.dist import get_dist_info
from torch import Tensor


def shard_range(num_classes: int, rank: int,
                world_size: int) -> Tuple[int, int]:
    """Classes ``[start, end)`` of ``rank`` (``np.array_split`` order)."""
    if num_classes < world_size:
        raise ValueError(f'class sharding: num_classes={num_classes} is '
                         f'smaller than the world size {world_size}')
    sizes = [
        len(a) for a in np.array_split(np.arange(num_classes), world_size)
    ]
    start = int(sum(sizes[:rank]))
    return start, start + sizes[rank]


def is_distributed_run() -> bool:
    return torch_dist.is_available() and torch_dist.is_initialized() and \
        get_dist_info()[1] > 1


class _AllGatherScaled(torch.autograd.Function):
    """All-gather along dim 0; backward: sum over ranks times W, own rows."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        rank, world_size = get_dist_info()
        ctx.rank, ctx.world_size, ctx.rows = rank, world_size, x.shape[0]
        parts = [torch.empty_like(x) for _ in range(world_size)]
        torch_dist.all_gather(parts, x.contiguous())
        return torch.cat(parts, dim=0)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        grad = grad.contiguous()
        torch_dist.all_reduce(grad)
        rows = slice(ctx.rank * ctx.rows, (ctx.rank + 1) * ctx.rows)
        return grad[rows] * ctx.world_size


class _AllGatherForReplicatedLoss(_AllGatherScaled):
    """All-gather along dim 0 for a loss computed identically on every
    rank; backward: own rows times W (every rank already holds the whole
    gradient, and W cancels DDP's averaging)."""

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        rows = slice(ctx.rank * ctx.rows, (ctx.rank + 1) * ctx.rows)
        return grad[rows] * ctx.world_size


class _AllReduceReplicated(torch.autograd.Function):
    """All-reduce sum whose consumers are replicated on every rank."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        out = x.clone()
        torch_dist.all_reduce(out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        return grad


def gather_for_replicated_loss(x: Tensor) -> Tensor:
    """All-gather a per-rank batch (same size on every rank) for a loss
    that every rank then computes on the whole batch; with DDP's gradient
    averaging the parameters get the gradient of that global loss."""
    if not is_distributed_run():
        return x
    _check_same_batch_size(x)
    return _AllGatherForReplicatedLoss.apply(x)


def _check_same_batch_size(x: Tensor) -> None:
    # on the batch's device: an NCCL process group has no CPU backend
    sizes = [
        x.new_zeros(1, dtype=torch.long) for _ in range(get_dist_info()[1])
    ]
    torch_dist.all_gather(sizes, x.new_tensor([x.shape[0]],
                                              dtype=torch.long))
    if len({int(s) for s in sizes}) != 1:
        raise ValueError('all-gather of the batch: every rank needs the same '
                         'batch '
                         f'size, got {[int(s) for s in sizes]} (use '
                         'drop_last=True in the train dataloader)')


def gather_batch(x: Tensor) -> Tensor:
    """All-gather a per-rank batch (same size on every rank), with grad,
    for the class-sharded logits (each rank's loss part is its own)."""
    if not is_distributed_run():
        return x
    _check_same_batch_size(x)
    sizes = range(get_dist_info()[1])
    if x.requires_grad:
        return _AllGatherScaled.apply(x)
    parts = [torch.empty_like(x) for _ in sizes]
    torch_dist.all_gather(parts, x.contiguous())
    return torch.cat(parts, dim=0)


def sum_across_ranks(x: Tensor) -> Tensor:
    """Sum over ranks; the result feeds replicated computation."""
    return _AllReduceReplicated.apply(x) if is_distributed_run() else x


@torch.no_grad()
def gather_rows(local: Tensor, num_classes: int) -> Tensor:
    """All ranks' class rows of a sharded tensor, on every rank (CPU).

    Args:
        local (Tensor): This rank's rows, shape (C_local, ...).
        num_classes (int): Total number of classes.

    Returns:
        Tensor: The full tensor, shape (num_classes, ...).
    """
    if not is_distributed_run():
        return local.detach().cpu().clone()
    world_size = get_dist_info()[1]
    ranges = [
        shard_range(num_classes, r, world_size) for r in range(world_size)
    ]
    rows = max(end - start for start, end in ranges)
    padded = local.new_zeros((rows, ) + tuple(local.shape[1:]))
    padded[:local.shape[0]] = local.detach()
    parts = [torch.empty_like(padded) for _ in ranges]
    torch_dist.all_gather(parts, padded)
    return torch.cat([
        part[:end - start] for part, (start, end) in zip(parts, ranges)
    ]).cpu()


def sharded_cross_entropy(logits: Tensor, target: Tensor,
                          class_start: int) -> Tensor:
    """Mean softmax cross-entropy over classes sharded across ranks.

    Args:
        logits (Tensor): This rank's logits, shape (N, C_local).
        target (Tensor): Global class indices, shape (N,).
        class_start (int): First class of this rank.

    Returns:
        Tensor: The scalar loss, identical on every rank.
    """
    if logits.shape[0] == 0:
        return logits.sum() * 0.0
    with torch.no_grad():
        row_max = logits.max(dim=1).values
        if is_distributed_run():
            torch_dist.all_reduce(row_max, op=torch_dist.ReduceOp.MAX)
    shifted = logits - row_max[:, None]
    sum_exp = sum_across_ranks(shifted.exp().sum(dim=1))
    local = (target >= class_start) & \
        (target < class_start + logits.shape[1])
    column = (target - class_start).clamp(0, logits.shape[1] - 1)
    target_logit = shifted.gather(1, column[:, None])[:, 0] * local
    target_logit = sum_across_ranks(target_logit)
    return (sum_exp.log() - target_logit).mean()
