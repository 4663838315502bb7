# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The candidate operations of ASFD's Auto-FEM search space."""
from typing import Callable, Dict, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule, DepthwiseSeparableConvModule
from mmdet.registry import MODELS
from mmdet.utils import ConfigType
from torch import Tensor


@MODELS.register_module()
class FEMZeroOp(nn.Module):
    """The ``'none'`` candidate: :math:`o(x) = 0`.

    Its architecture weight lets the search of `ASFD
    <https://arxiv.org/abs/2003.11228>`_ switch an edge off. Derived genotypes
    never contain it.
    """

    def forward(self, x: Tensor) -> Tensor:
        return x.mul(0.)


def _conv(k: int) -> Callable[..., nn.Module]:

    def build(c: int, norm_cfg: ConfigType, act_cfg: ConfigType) -> nn.Module:
        return ConvModule(
            c, c, k, padding=k // 2, norm_cfg=norm_cfg, act_cfg=act_cfg)

    return build


def _sep_conv(k: int, dilation: int = 1) -> Callable[..., nn.Module]:

    def build(c: int, norm_cfg: ConfigType, act_cfg: ConfigType) -> nn.Module:
        return DepthwiseSeparableConvModule(
            c,
            c,
            k,
            padding=dilation * (k // 2),
            dilation=dilation,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)

    return build


def _asym_conv(k: int) -> Callable[..., nn.Module]:

    def build(c: int, norm_cfg: ConfigType, act_cfg: ConfigType) -> nn.Module:
        # 1xk without activation, then kx1: a factorised kxk receptive field.
        return nn.Sequential(
            ConvModule(
                c, c, (1, k), padding=(0, k // 2), norm_cfg=norm_cfg,
                act_cfg=None),
            ConvModule(
                c, c, (k, 1), padding=(k // 2, 0), norm_cfg=norm_cfg,
                act_cfg=act_cfg))

    return build


def _fixed(module: Callable[[], nn.Module]) -> Callable[..., nn.Module]:

    def build(c: int, norm_cfg: ConfigType, act_cfg: ConfigType) -> nn.Module:
        return module()

    return build


CANDIDATE_OPS: Dict[str, Callable[..., nn.Module]] = {
    'none': _fixed(FEMZeroOp),
    'skip_connect': _fixed(nn.Identity),
    'conv_1x1': _conv(1),
    'conv_3x3': _conv(3),
    'sep_conv_3x3': _sep_conv(3),
    'sep_conv_5x5': _sep_conv(5),
    'dil_conv_3x3_r2': _sep_conv(3, dilation=2),
    'dil_conv_3x3_r3': _sep_conv(3, dilation=3),
    'asym_conv_1x3': _asym_conv(3),
    'asym_conv_1x5': _asym_conv(5),
    'max_pool_3x3': _fixed(lambda: nn.MaxPool2d(3, stride=1, padding=1)),
    'avg_pool_3x3': _fixed(lambda: nn.AvgPool2d(
        3, stride=1, padding=1, count_include_pad=False)),
}
"""Name -> builder ``(channels, norm_cfg, act_cfg) -> module``. Every
operation keeps the shape (N, C, H, W) of its input."""

DEFAULT_OPS: Tuple[str, ...] = tuple(CANDIDATE_OPS)


def build_candidate_op(name: str,
                       channels: int,
                       norm_cfg: ConfigType = dict(type='BN'),
                       act_cfg: ConfigType = dict(type='ReLU'),
                       field: str = 'op') -> nn.Module:
    """Build one Auto-FEM candidate operation.

    Args:
        name (str): A key of :data:`CANDIDATE_OPS`.
        channels (int): Input and output channels.
        norm_cfg (dict): Norm of the conv operations.
            Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation of the conv operations.
            Defaults to ``dict(type='ReLU')``.
        field (str): Where ``name`` came from, for the error message.
            Defaults to 'op'.

    Returns:
        nn.Module: The operation, shape-preserving.
    """
    if name not in CANDIDATE_OPS:
        raise KeyError(f'{field}: unknown Auto-FEM operation {name!r}; '
                       f'choose from {sorted(CANDIDATE_OPS)}')
    if channels <= 0:
        raise ValueError(f'{field}: channels must be > 0, got {channels}')
    return CANDIDATE_OPS[name](channels, norm_cfg, act_cfg)
