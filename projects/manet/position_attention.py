# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Position-wise softmax attention, optionally in query chunks."""
from typing import Optional

import torch
from torch import Tensor


def position_attention(query: Tensor,
                       key: Tensor,
                       value: Tensor,
                       max_elements: Optional[int] = None) -> Tensor:
    """Position-wise attention of the MANet content SA and co-adaptation
    blocks (`Arbitrary Style Transfer via Multi-Adaptation Network
    <https://arxiv.org/abs/2005.13219>`_):

    .. math::
        A = \\operatorname{softmax}_j(Q^\\top K), \\qquad
        O = V A^\\top, \\quad O_{:,i} = \\sum_j A_{ij} V_{:,j}

    with :math:`Q \\in \\mathbb{R}^{N \\times C}` (one row per output
    position), :math:`K, V \\in \\mathbb{R}^{C \\times M}`. The
    :math:`N \\times M` attention map is the memory bottleneck (``N = M =
    (H/8)(W/8)`` at relu4_1). When ``max_elements`` is set and
    :math:`B N M` exceeds it, the rows of :math:`A` are computed in chunks
    of queries (the softmax is per row, so the result is the same up to
    floating-point summation order) and the peak memory falls to
    ``max_elements`` attention entries.

    Args:
        query (Tensor): ``(B, N, C)``.
        key (Tensor): ``(B, C, M)``.
        value (Tensor): ``(B, C_v, M)``.
        max_elements (int, optional): Largest attention map held at once.
            Defaults to None (the whole map, as the official code).

    Returns:
        Tensor: ``(B, C_v, N)``.
    """
    batch, num_queries = query.shape[:2]
    num_keys = key.shape[2]
    if (max_elements is None
            or batch * num_queries * num_keys <= max_elements):
        return _attend(query, key, value)
    rows = max(1, max_elements // max(1, batch * num_keys))
    chunks = [
        _attend(query[:, start:start + rows], key, value)
        for start in range(0, num_queries, rows)
    ]
    return torch.cat(chunks, dim=2)


def _attend(query: Tensor, key: Tensor, value: Tensor) -> Tensor:
    attention = torch.softmax(torch.bmm(query, key), dim=-1)
    return torch.bmm(value, attention.permute(0, 2, 1))
