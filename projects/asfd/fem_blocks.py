# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The two parts of ASFD's Auto-FEM: multi-scale fusion and context cell."""
from typing import Callable, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor

from .genotype import FUSION_DIRECTIONS, cell_edge_index


def _run_edge(edge: nn.Module, x: Tensor, weights: Optional[Tensor]) -> Tensor:
    return edge(x) if weights is None else edge(x, weights)


def _sum(terms: List[Tensor], like: Tensor) -> Tensor:
    """Sum of ``terms`` without a zero tensor to start from (zeros like
    ``like`` when there is no term)."""
    if not terms:
        return torch.zeros_like(like)
    out = terms[0]
    for term in terms[1:]:
        out = out + term
    return out


def _resize_to(x: Tensor, ref: Tensor, direction: str) -> Tensor:
    size = ref.shape[-2:]
    if direction == 'finer':  # a finer map comes down by max pooling
        if x.shape[-2:] == (2 * size[0], 2 * size[1]):
            # the adaptive windows are then the 2x2 stride-2 ones (same
            # maxima, same first-maximum index for the gradient): the plain
            # pooling kernel is faster
            return F.max_pool2d(x, 2)
        return F.adaptive_max_pool2d(x, size)
    if direction == 'coarser':
        return F.interpolate(x, size=size, mode='nearest')
    return x


class MultiScaleFusion(BaseModule):
    """Auto-FEM multi-scale fusion: every level sums three searched edges.

    Part one of the Auto-FEM of `ASFD <https://arxiv.org/abs/2003.11228>`_
    (the topology is our reconstruction, ``configs/asfd/README.md``):

    .. math::
        P'_i = o_{same}(P_i) + o_{finer}(\\mathrm{down}(P_{i-1}))
            + o_{coarser}(\\mathrm{up}(P_{i+1}))

    where a missing neighbour (first or last level) drops its term.

    Args:
        num_levels (int): Pyramid levels.
        edge_factory (Callable[[str], nn.Module]): Builds the edge of a
            direction in :data:`FUSION_DIRECTIONS` (one per level).
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 num_levels: int,
                 edge_factory: Callable[[str], nn.Module],
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_levels = num_levels
        self.edges = nn.ModuleList()
        for i in range(num_levels):
            level = nn.ModuleDict()
            for d in self._directions(i):
                level[d] = edge_factory(d)
            self.edges.append(level)

    def _directions(self, i: int) -> List[str]:
        return [
            d for d in FUSION_DIRECTIONS
            if not (d == 'finer' and i == 0) and not (
                d == 'coarser' and i == self.num_levels - 1)
        ]

    def forward(self,
                feats: Sequence[Tensor],
                weights: Optional[Tensor] = None) -> List[Tensor]:
        """Fuse ``feats`` (fine to coarse); ``weights`` (3, num_ops) only in
        search."""
        outs = []
        for i, level in enumerate(self.edges):
            terms = []
            for d, edge in level.items():
                src = i + {'finer': -1, 'same': 0, 'coarser': 1}[d]
                w = None if weights is None else weights[
                    FUSION_DIRECTIONS.index(d)]
                terms.append(
                    _run_edge(edge, _resize_to(feats[src], feats[i], d), w))
            outs.append(_sum(terms, feats[i]))
        return outs


class ContextCell(BaseModule):
    """Auto-FEM context-enhancement cell on one pyramid level.

    Part two of the Auto-FEM of `ASFD <https://arxiv.org/abs/2003.11228>`_,
    a DARTS cell (reconstruction, ``configs/asfd/README.md``): with
    :math:`h_0 = x`,

    .. math::
        h_j = \\sum_{(o, s) \\in E_j} o(h_s), \\qquad
        y = x + \\mathrm{Conv}_{1\\times1}([h_1, \\ldots, h_N])

    Args:
        channels (int): Channels of input and output.
        num_nodes (int): ``N``.
        edge_factory (Callable[[int, int], nn.Module or None]): Builds the
            edge ``src -> node`` (``src`` 0 is ``x``), or None for no edge.
        norm_cfg (dict): Norm of the output conv.
            Defaults to ``dict(type='BN')``.
        act_cfg (dict, optional): Activation of the output conv.
            Defaults to None.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 channels: int,
                 num_nodes: int,
                 edge_factory: Callable[[int, int], Optional[nn.Module]],
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: Optional[ConfigType] = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_nodes = num_nodes
        self.edges = nn.ModuleDict()
        for node in range(num_nodes):
            for src in range(node + 1):
                edge = edge_factory(node, src)
                if edge is not None:
                    self.edges[f'{node}_{src}'] = edge
        self.out_conv = ConvModule(
            channels * num_nodes,
            channels,
            1,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)

    def forward(self, x: Tensor, weights: Optional[Tensor] = None) -> Tensor:
        """Enhance ``x``; ``weights`` (num_cell_edges, num_ops) only in
        search."""
        states = [x]
        for node in range(self.num_nodes):
            terms = []
            for src in range(node + 1):
                key = f'{node}_{src}'
                if key in self.edges:
                    w = None if weights is None else weights[
                        cell_edge_index(node, src)]
                    terms.append(_run_edge(self.edges[key], states[src], w))
            states.append(_sum(terms, x))
        return x + self.out_conv(torch.cat(states[1:], 1))
