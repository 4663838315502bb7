# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The CIFAR MobileNetV2 that filter grafting trains."""
from typing import List, Optional, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule, Sequential
from mmpretrain.models.utils import make_divisible
from mmpretrain.registry import MODELS
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

_RELU = dict(type='ReLU')


class _CifarInvertedResidual(BaseModule):
    """Expand 1x1 - depthwise 3x3 - project 1x1 (BN after each, ReLU after
    the first two). Every stride-1 block adds a shortcut: the identity, or
    a 1x1 conv + BN where the width changes; stride-2 blocks have none. The
    1x1 expansion is kept for expansion 1 as well."""

    def __init__(self, in_channels: int, out_channels: int, expansion: int,
                 stride: int, norm_cfg: dict) -> None:
        super().__init__()
        planes = expansion * in_channels
        self.stride = stride
        self.expand = ConvModule(in_channels, planes, 1, bias=False,
                                 norm_cfg=norm_cfg, act_cfg=_RELU)
        self.depthwise = ConvModule(planes, planes, 3, stride=stride,
                                    padding=1, groups=planes, bias=False,
                                    norm_cfg=norm_cfg, act_cfg=_RELU)
        self.project = ConvModule(planes, out_channels, 1, bias=False,
                                  norm_cfg=norm_cfg, act_cfg=None)
        self.shortcut = None
        if stride == 1 and in_channels != out_channels:
            self.shortcut = ConvModule(in_channels, out_channels, 1,
                                       bias=False, norm_cfg=norm_cfg,
                                       act_cfg=None)

    def forward(self, x: Tensor) -> Tensor:
        out = self.project(self.depthwise(self.expand(x)))
        if self.stride != 1:
            return out
        return out + (x if self.shortcut is None else self.shortcut(x))


@MODELS.register_module()
class CifarMobileNetV2(BaseModule):
    """`MobileNetV2 <https://arxiv.org/abs/1801.04381>`_ for 32x32 inputs,
    exactly the network ``grafting_cifar/models/mobilenetv2.py`` of filter
    grafting (arXiv 2001.05868) trains (the ``pytorch-cifar`` model).

    Stem conv 3x3 (32, stride 1) - BN - ReLU, the seven stages
    (expansion, width, blocks, stride) = (1,16,1,1), (6,24,2,1), (6,32,3,2),
    (6,64,4,2), (6,96,3,1), (6,160,3,2), (6,320,1,1) of
    ``_CifarInvertedResidual`` blocks, and a 1x1 conv to 1280 - BN - ReLU;
    total stride 8, a 4x4 map for CIFAR. Unlike mmpretrain's MobileNetV2:
    ReLU instead of ReLU6, a 1x1 expansion conv also in the expansion-1
    block, and a residual on every stride-1 block, through a 1x1 conv + BN
    where the width changes (32->16, 16->24, 64->96, 160->320). The block
    output is ``project(x) + shortcut(x)``.

    With ``init_cfg=None`` the weights keep PyTorch's default
    initialisation, as the official model (no explicit init).

    Args:
        widen_factor (float): Multiplies the stem and stage widths (rounded
            to a multiple of 8; the 1280 conv is kept). Defaults to 1.0
            (the official network).
        norm_cfg (dict): Norm config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialisation config;
            None keeps PyTorch's defaults. Defaults to None.
    """

    # (expansion, width, blocks, stride), as the official ``cfg``
    arch_settings: List[Tuple[int, int, int, int]] = [(1, 16, 1, 1),
                                                      (6, 24, 2, 1),
                                                      (6, 32, 3, 2),
                                                      (6, 64, 4, 2),
                                                      (6, 96, 3, 1),
                                                      (6, 160, 3, 2),
                                                      (6, 320, 1, 1)]

    def __init__(self,
                 widen_factor: float = 1.0,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if widen_factor <= 0:
            raise ValueError('CifarMobileNetV2: widen_factor must be '
                             f'positive, got {widen_factor}')
        width = 32 if widen_factor == 1.0 else make_divisible(
            32 * widen_factor, 8)
        self.conv1 = ConvModule(3, width, 3, padding=1, bias=False,
                                norm_cfg=norm_cfg, act_cfg=_RELU)
        blocks = []
        for expansion, channels, num, stride in self.arch_settings:
            out = channels if widen_factor == 1.0 else make_divisible(
                channels * widen_factor, 8)
            for i in range(num):
                blocks.append(
                    _CifarInvertedResidual(width, out, expansion,
                                           stride if i == 0 else 1,
                                           norm_cfg))
                width = out
        self.layers = Sequential(*blocks)
        self.conv2 = ConvModule(width, 1280, 1, bias=False,
                                norm_cfg=norm_cfg, act_cfg=_RELU)
        if init_cfg is None:  # undo ConvModule's own Kaiming init
            self._torch_default_init()

    def _torch_default_init(self) -> None:
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, _BatchNorm)):
                module.reset_parameters()

    def init_weights(self) -> None:
        """PyTorch's default initialisation without ``init_cfg`` (the
        official model), else ``init_cfg``."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        self._torch_default_init()
        self._is_init = True

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        """The 1280-channel map, shape (N, 1280, H/8, W/8), in a tuple."""
        return (self.conv2(self.layers(self.conv1(x))), )
