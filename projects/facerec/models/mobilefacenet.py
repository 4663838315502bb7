# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MobileFaceNet: the compact embedding network with a GDC layer."""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

# stem: channels of the first conv; stages: (out channels, expanded channels
# of the stride-2 bottleneck, residual bottlenecks); residual_expand: expanded
# channels of each stage's residual bottlenecks; sep: channels of the 1x1
# conv before the GDC. 'base' is the MobileFaceNet of the paper (Table 1);
# 'tiny' is ours, for CPU demos and tests.
ARCHS: Dict[str, dict] = {
    'base':
    dict(
        stem=64,
        stages=((64, 128, 4), (128, 256, 6), (128, 512, 2)),
        residual_expand=(128, 256, 256),
        sep=512),
    'tiny':
    dict(
        stem=16,
        stages=((16, 32, 1), (32, 64, 1), (32, 64, 1)),
        residual_expand=(32, 64, 64),
        sep=128),
}


def _conv(in_ch: int, out_ch: int, kernel: int, stride: int = 1,
          groups: int = 1, act: bool = True) -> ConvModule:
    """Conv-BN(-PReLU with one slope per channel); a linear block when
    ``act`` is False."""
    return ConvModule(
        in_ch, out_ch, kernel, stride=stride, padding=kernel // 2 if
        kernel == 3 else 0, groups=groups, bias=False,
        norm_cfg=dict(type='BN'),
        act_cfg=dict(type='PReLU', num_parameters=out_ch) if act else None)


class MobileFaceBottleneck(BaseModule):
    """The inverted-residual bottleneck of MobileFaceNet: 1x1 expansion to
    ``expand`` channels (PReLU), 3x3 depthwise with ``stride`` (PReLU), 1x1
    linear projection; :math:`y = x + f(x)` when ``residual``.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        expand (int): Expanded channels.
        stride (int): Depthwise stride. Defaults to 1.
        residual (bool): Add the input. Defaults to False.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self, in_channels: int, out_channels: int, expand: int,
                 stride: int = 1, residual: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if residual and (stride != 1 or in_channels != out_channels):
            raise ValueError('MobileFaceBottleneck: a residual block needs '
                             'stride 1 and equal in/out channels')
        self.residual = residual
        self.layers = nn.Sequential(
            _conv(in_channels, expand, 1),
            _conv(expand, expand, 3, stride, groups=expand),
            _conv(expand, out_channels, 1, act=False))

    def forward(self, x: Tensor) -> Tensor:
        out = self.layers(x)
        return x + out if self.residual else out


@MODELS.register_module()
class MobileFaceNet(BaseModule):
    """MobileFaceNet of `MobileFaceNets: Efficient CNNs for Accurate
    Real-Time Face Verification on Mobile Devices
    <https://arxiv.org/abs/1804.07573>`_, the matcher of the DeepMPV+
    inference script (`Towards Palmprint Verification on Smartphones
    <https://arxiv.org/abs/2003.13266>`_) at 224 x 224 input.

    3x3 stride-2 conv (64) and 3x3 depthwise conv, three stages of a
    stride-2 bottleneck followed by residual bottlenecks (64: 4, 128: 6,
    128: 2 blocks), a 1x1 conv to 512 channels, then the global depthwise
    convolution (GDC), a linear :math:`k \\times k` depthwise conv covering
    the whole :math:`k = \\lceil s / 16 \\rceil` map (7 at 112 input, 14 at
    224), and a linear layer with BatchNorm to the embedding:

    .. math::
        e = \\mathrm{BN}(W\\, \\mathrm{GDC}(F)), \\quad
        \\mathrm{GDC}(F)_c = \\sum_{i,j} K_{c,i,j} F_{c,i,j}

    Conv layers are conv-BN-PReLU except the linear projections.

    Args:
        arch (str | dict): ``'base'`` or ``'tiny'`` (ours), or a dict like
            ``ARCHS['base']``. Defaults to ``'base'``.
        input_size (int): Input side; sets the GDC kernel.
            Defaults to 112.
        embedding_dim (int): Embedding size. Defaults to 512.
        init_cfg (dict, optional): Initialisation config. Defaults to
            Kaiming for convs and constant 1 for norms.
    """

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 input_size: int = 112,
                 embedding_dim: int = 512,
                 init_cfg: Optional[Union[dict, Sequence[dict]]] = (
                     dict(type='Kaiming', layer='Conv2d'),
                     dict(type='Constant', val=1,
                          layer=['_BatchNorm']))) -> None:
        super().__init__(init_cfg=list(init_cfg) if isinstance(
            init_cfg, tuple) else init_cfg)
        if isinstance(arch, str):
            if arch not in ARCHS:
                raise KeyError(f'MobileFaceNet: arch must be one of '
                               f'{sorted(ARCHS)} or a dict, got {arch!r}')
            arch = ARCHS[arch]
        if input_size < 16:
            raise ValueError('MobileFaceNet: input_size must be >= 16, got '
                             f'{input_size}')
        self.input_size = input_size
        self.gdc_kernel = self._map_size(input_size)
        stem = arch['stem']
        self.stem = nn.Sequential(
            _conv(3, stem, 3, stride=2), _conv(stem, stem, 3, groups=stem))
        layers, in_ch = [], stem
        for (out_ch, expand, blocks), res_exp in zip(arch['stages'],
                                                     arch['residual_expand']):
            layers.append(MobileFaceBottleneck(in_ch, out_ch, expand, 2))
            layers += [
                MobileFaceBottleneck(out_ch, out_ch, res_exp, residual=True)
                for _ in range(blocks)
            ]
            in_ch = out_ch
        self.stages = nn.Sequential(*layers)
        self.sep = _conv(in_ch, arch['sep'], 1)
        self.gdc = _conv(arch['sep'], arch['sep'], self.gdc_kernel,
                         groups=arch['sep'], act=False)
        self.linear = nn.Linear(arch['sep'], embedding_dim, bias=False)
        self.bn = nn.BatchNorm1d(embedding_dim)

    @staticmethod
    def _map_size(size: int) -> int:
        """Side of the final map after the four stride-2 convs."""
        for _ in range(4):
            size = (size + 1) // 2
        return size

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        """The embedding (N, embedding_dim), as a 1-tuple."""
        if x.shape[-2:] != (self.input_size, self.input_size):
            raise ValueError(f'MobileFaceNet: expects {self.input_size}x'
                             f'{self.input_size} inputs (input_size), got '
                             f'{tuple(x.shape[-2:])}')
        feat = self.gdc(self.sep(self.stages(self.stem(x))))
        return (self.bn(self.linear(feat.flatten(1))), )
