# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""AutoFEMSearch: the Auto-FEM supernet with architecture parameters."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmdet.registry import MODELS
from mmdet.utils import ConfigType
from torch import Tensor

from .auto_fem import AutoFEM
from .candidate_ops import DEFAULT_OPS
from .genotype import (FUSION_DIRECTIONS, Genotype, derive_genotype,
                       num_cell_edges)
from .mixed_op import PartialChannelMixedOp

#: Prefix of every architecture parameter's name in the detector.
ARCH_PARAM_PREFIX = 'arch_'


@MODELS.register_module()
class AutoFEMSearch(AutoFEM):
    """The searchable Auto-FEM of `ASFD <https://arxiv.org/abs/2003.11228>`_.

    :class:`AutoFEM` with every fusion and cell edge a
    :class:`PartialChannelMixedOp` weighted by ``softmax(alpha)``. One
    ``arch_fusion_alpha`` (3, |O|) is shared by the fusions and one
    ``arch_cell_alpha`` (E, |O|) by the cells of all levels and rounds, so
    the derived genotype (:meth:`derive_genotype`) builds an
    :class:`AutoFEM`. The search loop (:class:`BilevelSearchLoop`) finds the
    alphas by their ``arch_`` prefix.

    Args:
        in_channels (Sequence[int]): Channels of the backbone levels.
        out_channels (int): Channels of every level; divisible by
            ``partial_k``.
        num_outs (int): Output levels.
        op_names (Sequence[str]): Candidate operations.
            Defaults to all of :data:`CANDIDATE_OPS`.
        num_nodes (int): Nodes per context cell. Defaults to 2.
        edges_per_node (int): Inputs a derived node keeps. Defaults to 2.
        partial_k (int): Partial channel factor. Defaults to 4.
        alpha_std (float): Std of the initial alphas. Defaults to 1e-3.
        op_norm_cfg (dict): Norm inside the mixed operations.
            Defaults to ``dict(type='BN', affine=False)``.
        **kwargs: :class:`AutoFEM` arguments except ``genotype``.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int,
                 num_outs: int,
                 op_names: Sequence[str] = DEFAULT_OPS,
                 num_nodes: int = 2,
                 edges_per_node: int = 2,
                 partial_k: int = 4,
                 alpha_std: float = 1e-3,
                 op_norm_cfg: ConfigType = dict(type='BN', affine=False),
                 **kwargs) -> None:
        if 'genotype' in kwargs:
            raise ValueError('AutoFEMSearch searches the genotype; do not '
                             'pass one')
        if num_nodes < 1:
            raise ValueError(f'num_nodes must be >= 1, got {num_nodes}')
        if edges_per_node < 1:
            raise ValueError('AutoFEMSearch: edges_per_node must be >= 1, '
                             f'got {edges_per_node}')
        if not any(name != 'none' for name in op_names):
            raise ValueError('AutoFEMSearch: op_names needs an operation '
                             f"besides 'none', got {list(op_names)}")
        self.op_names = tuple(op_names)
        self.num_nodes = num_nodes
        self.edges_per_node = edges_per_node
        self.partial_k = partial_k
        self.op_norm_cfg = op_norm_cfg
        super().__init__(in_channels, out_channels, num_outs, **kwargs)
        self.arch_fusion_alpha = nn.Parameter(
            alpha_std * torch.randn(len(FUSION_DIRECTIONS), len(op_names)))
        self.arch_cell_alpha = nn.Parameter(
            alpha_std * torch.randn(num_cell_edges(num_nodes), len(op_names)))

    def _init_arch(self, genotype: Union[str, Genotype, None]) -> None:
        pass

    def _mixed_op(self) -> nn.Module:
        return PartialChannelMixedOp(self.out_channels, self.op_names,
                                     self.partial_k, self.op_norm_cfg,
                                     self.act_cfg)

    def _fusion_edge(self, direction: str) -> nn.Module:
        return self._mixed_op()

    def _cell_edge(self, node: int, src: int) -> Optional[nn.Module]:
        return self._mixed_op()

    def _arch_weights(self) -> Tuple[Optional[Tensor], Optional[Tensor]]:
        return (self.arch_fusion_alpha.softmax(-1),
                self.arch_cell_alpha.softmax(-1))

    def arch_parameters(self) -> List[nn.Parameter]:
        """The architecture parameters (alphas)."""
        return [self.arch_fusion_alpha, self.arch_cell_alpha]

    def derive_genotype(self) -> Genotype:
        """The discrete genotype of the current alphas."""
        return derive_genotype(self.arch_fusion_alpha, self.arch_cell_alpha,
                               self.op_names, self.edges_per_node)

    def arch_weight_table(self) -> str:
        """The softmax-ed alphas as a text table (one row per edge)."""
        rows = ['edge ' + ' '.join(f'{n:>14}' for n in self.op_names)]
        fw, cw = (w.detach() for w in self._arch_weights())
        for d, row in zip(FUSION_DIRECTIONS, fw):
            rows.append(f'fusion.{d} ' + ' '.join(f'{v:14.4f}' for v in row))
        for i, row in enumerate(cw):
            rows.append(f'cell.{i} ' + ' '.join(f'{v:14.4f}' for v in row))
        return '\n'.join(rows)
