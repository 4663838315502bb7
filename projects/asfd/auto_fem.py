# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""AutoFEM: ASFD's feature enhance module built from a genotype."""
import json
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor

from .candidate_ops import build_candidate_op
from .default_genotype import DEFAULT_GENOTYPE
from .fem_blocks import ContextCell, MultiScaleFusion
from .genotype import Genotype, load_genotype


@MODELS.register_module()
class AutoFEM(BaseModule):
    """Auto-FEM neck of `ASFD: Automatic and Scalable Face Detector
    <https://arxiv.org/abs/2003.11228>`_ with a fixed architecture.

    Backbone levels are projected to ``out_channels`` by 1x1 convs, extra
    levels come from stride-2 3x3 convs on the last one, then
    ``num_repeats`` times every level is fused with its neighbours and
    enhanced by its context cell (:class:`MultiScaleFusion`,
    :class:`ContextCell`):

    .. math::
        P^{r+1}_i = \\mathrm{Cell}_i\\big(o_s(P^r_i)
            + o_f(\\mathrm{down}\\,P^r_{i-1})
            + o_c(\\mathrm{up}\\,P^r_{i+1})\\big)

    with the operations :math:`o` and the cell edges read from the genotype.

    Args:
        in_channels (Sequence[int]): Channels of the backbone levels.
        out_channels (int): Channels of every output level.
        num_outs (int): Output levels (>= used backbone levels).
        start_level (int): First backbone level used. Defaults to 0.
        genotype (str or dict, optional): The architecture, a dict or the
            path of a JSON file from the search; None takes
            :data:`DEFAULT_GENOTYPE`. Defaults to None.
        num_repeats (int): Fusion + cell rounds (the compound-scaled
            depth). Defaults to 1.
        conv_cfg (dict, optional): Conv config of projections.
            Defaults to None.
        norm_cfg (dict): Norm config. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation of operations and projections.
            Defaults to ``dict(type='ReLU')``.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to ``dict(type='Xavier', layer='Conv2d',
            distribution='uniform')``.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int,
                 num_outs: int,
                 start_level: int = 0,
                 genotype: Union[str, Genotype, None] = None,
                 num_repeats: int = 1,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 init_cfg: OptMultiConfig = dict(
                     type='Xavier', layer='Conv2d',
                     distribution='uniform')) -> None:
        super().__init__(init_cfg=init_cfg)
        num_ins = len(in_channels) - start_level
        if num_ins < 1 or num_outs < num_ins:
            raise ValueError(
                f'AutoFEM: need 1 <= len(in_channels) - start_level '
                f'({num_ins}) <= num_outs ({num_outs})')
        if num_repeats < 1:
            raise ValueError(f'AutoFEM: num_repeats must be >= 1, got '
                             f'{num_repeats}')
        self.in_channels = list(in_channels)
        self.out_channels = out_channels
        self.num_outs = num_outs
        self.start_level = start_level
        self.num_repeats = num_repeats
        self.norm_cfg = norm_cfg
        self.act_cfg = act_cfg
        self._init_arch(genotype)
        self.lateral_convs = nn.ModuleList(
            ConvModule(c, out_channels, 1, conv_cfg=conv_cfg,
                       norm_cfg=norm_cfg, act_cfg=None)
            for c in self.in_channels[start_level:])
        self.extra_convs = nn.ModuleList(
            ConvModule(out_channels, out_channels, 3, stride=2, padding=1,
                       conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
            for _ in range(num_outs - num_ins))
        self.fusions = nn.ModuleList()
        self.cells = nn.ModuleList()
        for _ in range(num_repeats):
            self.fusions.append(
                MultiScaleFusion(num_outs, self._fusion_edge))
            self.cells.append(nn.ModuleList(
                ContextCell(out_channels, self.num_nodes, self._cell_edge,
                            norm_cfg=norm_cfg)
                for _ in range(num_outs)))

    def _init_arch(self, genotype: Union[str, Genotype, None]) -> None:
        self.genotype = load_genotype(
            DEFAULT_GENOTYPE if genotype is None else genotype)
        self.num_nodes = len(self.genotype['cell'])
        # the genotype travels in checkpoints, as its UTF-8 JSON (a buffer,
        # so that mmengine can broadcast it like any state)
        code = json.dumps(self.genotype, sort_keys=True).encode()
        self.register_buffer('genotype_json',
                             torch.tensor(list(code), dtype=torch.uint8))

    def _load_from_state_dict(self, state_dict: dict, prefix: str,
                              *args, **kwargs) -> None:
        """Refuse weights trained with another genotype: parameter-free
        candidates (poolings, identity) would otherwise load into a
        different architecture without any mismatch."""
        key = prefix + 'genotype_json'
        if hasattr(self, 'genotype_json') and key in state_dict:
            saved = bytes(state_dict[key].tolist()).decode()
            if saved != bytes(self.genotype_json.tolist()).decode():
                raise ValueError(
                    'AutoFEM: the checkpoint was trained with the genotype '
                    f'{saved}, the config builds '
                    f'{json.dumps(self.genotype, sort_keys=True)}; set '
                    'model.neck.genotype to the checkpoint\'s')
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _fusion_edge(self, direction: str) -> nn.Module:
        return build_candidate_op(self.genotype['fusion'][direction],
                                  self.out_channels, self.norm_cfg,
                                  self.act_cfg)

    def _cell_edge(self, node: int, src: int) -> Optional[nn.Module]:
        ops = [op for op, s in self.genotype['cell'][node] if s == src]
        if not ops:
            return None
        if len(ops) > 1:
            raise ValueError(f"genotype['cell'][{node}] lists src {src} "
                             'twice')
        return build_candidate_op(ops[0], self.out_channels, self.norm_cfg,
                                  self.act_cfg)

    def _arch_weights(self) -> Tuple[Optional[Tensor], Optional[Tensor]]:
        return None, None

    def _pyramid(self, inputs: Tuple[Tensor]) -> List[Tensor]:
        if len(inputs) != len(self.in_channels):
            raise ValueError(f'AutoFEM: got {len(inputs)} backbone levels, '
                             f'in_channels has {len(self.in_channels)}')
        feats = [
            conv(x) for conv, x in zip(self.lateral_convs,
                                       inputs[self.start_level:])
        ]
        for conv in self.extra_convs:
            feats.append(conv(feats[-1]))
        return feats

    def forward(self, inputs: Tuple[Tensor]) -> Tuple[Tensor]:
        """Backbone levels (fine to coarse) -> ``num_outs`` levels."""
        feats = self._pyramid(inputs)
        fusion_w, cell_w = self._arch_weights()
        for fusion, cells in zip(self.fusions, self.cells):
            feats = fusion(feats, fusion_w)
            feats = [cell(f, cell_w) for cell, f in zip(cells, feats)]
        return tuple(feats)
