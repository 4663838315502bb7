# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""VoVNetV3: ACFD's backbone of asymmetric one-shot aggregation modules."""
from typing import Dict, List, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from .asymmetric_conv import AsymmetricConvModule, switch_to_deploy

# Stage settings follow VoVNetV2 (Lee & Park, CenterMask); ACFD's slide gives
# stage outputs 256/512/768/1024 with 1, 1, 1(2), 2 blocks per stage.
ARCH_SETTINGS: Dict[str, dict] = {
    'V-19-slim':
    dict(
        stem_channels=(64, 64, 128),
        stage_channels=(64, 80, 96, 112),
        out_channels=(112, 256, 384, 512),
        layers_per_block=3,
        blocks_per_stage=(1, 1, 1, 1)),
    'V-19':
    dict(
        stem_channels=(64, 64, 128),
        stage_channels=(128, 160, 192, 224),
        out_channels=(256, 512, 768, 1024),
        layers_per_block=3,
        blocks_per_stage=(1, 1, 1, 1)),
    'V-39':
    dict(
        stem_channels=(64, 64, 128),
        stage_channels=(128, 160, 192, 224),
        out_channels=(256, 512, 768, 1024),
        layers_per_block=5,
        blocks_per_stage=(1, 1, 2, 2)),
    'V-57':
    dict(
        stem_channels=(64, 64, 128),
        stage_channels=(128, 160, 192, 224),
        out_channels=(256, 512, 768, 1024),
        layers_per_block=5,
        blocks_per_stage=(1, 1, 4, 3)),
}


class EffectiveSE(BaseModule):
    """Effective squeeze-excitation (eSE) of VoVNetV2:
    :math:`y = x \\cdot \\mathrm{hsigmoid}(W \\cdot \\mathrm{GAP}(x) + b)`,
    one ``C -> C`` 1x1 convolution without channel reduction."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.fc = nn.Conv2d(channels, channels, 1)
        self.gate = nn.Hardsigmoid()

    def forward(self, x: Tensor) -> Tensor:
        return x * self.gate(self.fc(x.mean((2, 3), keepdim=True)))


class AOSAModule(BaseModule):
    """Asymmetric one-shot aggregation (AOSA) module of `ACFD
    <https://arxiv.org/abs/2007.00899>`_.

    ``n`` asymmetric 3x3 blocks run in sequence; the input and every block
    output are concatenated once ("one-shot"), aggregated by a 1x1
    convolution and re-weighted by eSE; blocks after the first of a stage add
    the input back:

    .. math::
        y = x + \\mathrm{eSE}\\big(W_{1\\times1} [x, f_1(x), f_2(f_1(x)),
        \\dots]\\big)

    Args:
        in_channels (int): Input channels.
        stage_channels (int): Channels of each asymmetric block.
        out_channels (int): Channels after aggregation.
        num_layers (int): Blocks ``n``.
        identity (bool): Add the input to the output. Defaults to False.
        asymmetric (bool): Asymmetric blocks (AOSA); False gives VoVNetV2's
            plain 3x3 OSA. Defaults to True.
        norm_cfg (dict): Norm config. Defaults to ``dict(type='BN')``.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 stage_channels: int,
                 out_channels: int,
                 num_layers: int,
                 identity: bool = False,
                 asymmetric: bool = True,
                 norm_cfg: ConfigType = dict(type='BN'),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if identity and in_channels != out_channels:
            raise ValueError('an identity AOSA module needs in_channels == '
                             f'out_channels, got {in_channels} and '
                             f'{out_channels}')
        self.identity = identity
        self.layers = nn.ModuleList()
        channels = in_channels
        for _ in range(num_layers):
            if asymmetric:
                layer = AsymmetricConvModule(
                    channels, stage_channels, 3, norm_cfg=norm_cfg)
            else:
                layer = ConvModule(
                    channels, stage_channels, 3, padding=1,
                    norm_cfg=norm_cfg)
            self.layers.append(layer)
            channels = stage_channels
        self.aggregate = ConvModule(
            in_channels + num_layers * stage_channels,
            out_channels,
            1,
            norm_cfg=norm_cfg)
        self.ese = EffectiveSE(out_channels)

    def forward(self, x: Tensor) -> Tensor:
        outputs = [x]
        feat = x
        for layer in self.layers:
            feat = layer(feat)
            outputs.append(feat)
        out = self.ese(self.aggregate(torch.cat(outputs, dim=1)))
        return out + x if self.identity else out


@MODELS.register_module()
class VoVNetV3(BaseModule):
    """VoVNetV3 backbone of `ACFD: Asymmetric Cartoon Face Detector
    <https://arxiv.org/abs/2007.00899>`_.

    A VoVNetV2 layout (stem of three 3x3 convolutions to stride 4, then four
    stages at strides 4, 8, 16 and 32, each opened by a 3x3/2 max pool
    except the first) whose modules are :class:`AOSAModule`. Designed to be
    trained from scratch (the challenge forbids pretrained weights): the
    default init is Kaiming for convolutions and ones/zeros for norms.

    Args:
        arch (str | dict): ``'V-19-slim'``, ``'V-19'``, ``'V-39'``,
            ``'V-57'``, or a dict with the keys of ``ARCH_SETTINGS``.
            Defaults to 'V-39'.
        in_channels (int): Image channels. Defaults to 3.
        out_indices (Sequence[int]): Stages (0-3) to output.
            Defaults to (1, 2, 3).
        asymmetric (bool): AOSA blocks; False builds VoVNetV2.
            Defaults to True.
        frozen_stages (int): Stages to freeze (-1: none, 0: the stem,
            ``i``: the stem and stages ``0..i-1``). Defaults to -1.
        norm_cfg (dict): Norm config; ``dict(type='GN', num_groups=32)``
            trains well from scratch with small batches. Defaults to
            ``dict(type='BN', requires_grad=True)``.
        norm_eval (bool): Keep batch-norm layers in eval mode while
            training. Defaults to False.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to Kaiming for convolutions.

    Example:
        >>> import torch
        >>> model = VoVNetV3(arch='V-19-slim', out_indices=(0, 1, 2, 3))
        >>> outs = model(torch.rand(1, 3, 64, 64))
        >>> [tuple(o.shape) for o in outs]
        [(1, 112, 16, 16), (1, 256, 8, 8), (1, 384, 4, 4), (1, 512, 2, 2)]
    """

    def __init__(self,
                 arch: Union[str, dict] = 'V-39',
                 in_channels: int = 3,
                 out_indices: Sequence[int] = (1, 2, 3),
                 asymmetric: bool = True,
                 frozen_stages: int = -1,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 norm_eval: bool = False,
                 init_cfg: OptMultiConfig = (dict(
                     type='Kaiming', layer='Conv2d'),
                                             dict(
                                                 type='Constant',
                                                 val=1,
                                                 layer=['_BatchNorm',
                                                        'GroupNorm']))
                 ) -> None:
        super().__init__(init_cfg=list(init_cfg) if isinstance(
            init_cfg, tuple) else init_cfg)
        settings = self._arch_settings(arch)
        if not set(out_indices) <= {0, 1, 2, 3}:
            raise ValueError(f'out_indices must be within 0-3, got '
                             f'{out_indices}')
        self.out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.out_channels = [settings['out_channels'][i] for i in out_indices]
        self.stem = self._make_stem(in_channels, settings['stem_channels'],
                                    norm_cfg)
        self.stages = nn.ModuleList()
        channels = settings['stem_channels'][-1]
        for i in range(4):
            self.stages.append(
                self._make_stage(i, channels, settings, asymmetric,
                                 norm_cfg))
            channels = settings['out_channels'][i]

    @staticmethod
    def _arch_settings(arch: Union[str, dict]) -> dict:
        if isinstance(arch, str):
            if arch not in ARCH_SETTINGS:
                raise KeyError(f'arch {arch!r} is not one of '
                               f'{sorted(ARCH_SETTINGS)}')
            return ARCH_SETTINGS[arch]
        missing = set(ARCH_SETTINGS['V-39']) - set(arch)
        if missing:
            raise KeyError(f'custom arch is missing {sorted(missing)}')
        return dict(arch)

    @staticmethod
    def _make_stem(in_channels: int, channels: Sequence[int],
                   norm_cfg: ConfigType) -> nn.Sequential:
        layers = []
        for i, (c_in, c_out) in enumerate(
                zip([in_channels, *channels[:-1]], channels)):
            stride = 1 if i == 1 else 2
            layers.append(
                ConvModule(
                    c_in, c_out, 3, stride=stride, padding=1,
                    norm_cfg=norm_cfg))
        return nn.Sequential(*layers)

    @staticmethod
    def _make_stage(index: int, in_channels: int, settings: dict,
                    asymmetric: bool, norm_cfg: ConfigType) -> nn.Sequential:
        layers: List[nn.Module] = []
        if index > 0:
            layers.append(nn.MaxPool2d(3, 2, ceil_mode=True))
        out_channels = settings['out_channels'][index]
        for block in range(settings['blocks_per_stage'][index]):
            layers.append(
                AOSAModule(
                    in_channels if block == 0 else out_channels,
                    settings['stage_channels'][index],
                    out_channels,
                    settings['layers_per_block'],
                    identity=block > 0,
                    asymmetric=asymmetric,
                    norm_cfg=norm_cfg))
        return nn.Sequential(*layers)

    def _freeze_stages(self) -> None:
        modules = [self.stem, *self.stages][:self.frozen_stages + 1]
        for module in modules:
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        x = self.stem(x)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def train(self, mode: bool = True) -> 'VoVNetV3':
        """Keep frozen stages, and with ``norm_eval`` batch norms, in eval
        mode."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self

    def switch_to_deploy(self) -> None:
        """Fuse every asymmetric block into one 3x3 convolution."""
        switch_to_deploy(self)
