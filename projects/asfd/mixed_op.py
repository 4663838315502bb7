# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Mixed operation with partial channel connections for the Auto-FEM search."""
from typing import Sequence

import torch
import torch.nn as nn
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor

from .candidate_ops import DEFAULT_OPS, build_candidate_op


def channel_shuffle(x: Tensor, groups: int) -> Tensor:
    """ShuffleNet channel shuffle of (N, C, H, W) ``x`` over ``groups``."""
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(
        n, c, h, w)


@MODELS.register_module()
class PartialChannelMixedOp(BaseModule):
    """A DARTS mixed operation over a 1/K slice of the channels.

    The edge of the ASFD search (`ASFD <https://arxiv.org/abs/2003.11228>`_;
    the paper calls it an improved differentiable search, whose details are
    not public: partial channel connections follow PC-DARTS,
    `arXiv:1907.05737 <https://arxiv.org/abs/1907.05737>`_):

    .. math::
        \\bar o(x) = \\mathrm{shuffle}\\Big(\\big[\\textstyle\\sum_{o \\in O}
            w_o\\, o(x_{1:C/K}),\\; x_{C/K+1:C}\\big]\\Big),
        \\qquad w = \\mathrm{softmax}(\\alpha)

    Only ``C / K`` channels go through the candidate operations, which cuts
    the supernet's memory and time by about ``K``; the rest bypass the edge
    and the shuffle mixes the two parts for the next edge.

    Args:
        channels (int): Input and output channels; divisible by
            ``partial_k``.
        op_names (Sequence[str]): Candidate operations.
            Defaults to all of :data:`CANDIDATE_OPS`.
        partial_k (int): ``K``; 1 disables the partial connection.
            Defaults to 4.
        norm_cfg (dict): Norm of the conv operations. Search uses affine-free
            BN as DARTS does. Defaults to ``dict(type='BN', affine=False)``.
        act_cfg (dict): Activation of the conv operations.
            Defaults to ``dict(type='ReLU')``.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 channels: int,
                 op_names: Sequence[str] = DEFAULT_OPS,
                 partial_k: int = 4,
                 norm_cfg: ConfigType = dict(type='BN', affine=False),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if partial_k < 1 or channels % partial_k:
            raise ValueError(f'partial_k={partial_k} must be >= 1 and divide '
                             f'channels={channels}')
        if len(op_names) == 0:
            raise ValueError('op_names is empty')
        self.op_names = tuple(op_names)
        self.partial_k = partial_k
        self.ops = nn.ModuleList(
            build_candidate_op(name, channels // partial_k, norm_cfg, act_cfg,
                               f'op_names[{i}]')
            for i, name in enumerate(self.op_names))

    def forward(self, x: Tensor, weights: Tensor) -> Tensor:
        """Mix the candidate operations.

        Args:
            x (Tensor): (N, C, H, W).
            weights (Tensor): (len(op_names), ) softmax-ed architecture
                weights.

        Returns:
            Tensor: (N, C, H, W).
        """
        if weights.shape != (len(self.ops), ):
            raise ValueError(f'weights must have shape ({len(self.ops)},), '
                             f'got {tuple(weights.shape)}')
        part = x.size(1) // self.partial_k
        x_op, x_pass = x[:, :part], x[:, part:]
        out = sum(w * op(x_op) for w, op in zip(weights, self.ops))
        if self.partial_k == 1:
            return out
        return channel_shuffle(torch.cat([out, x_pass], 1), self.partial_k)
