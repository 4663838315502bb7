# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DarknetTiny: the tiny-YOLOv3 backbone."""
from typing import Sequence, Tuple

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor

# Output channels of the seven 3x3 convolutions of yolov3-tiny.cfg.
TINY_CHANNELS = (16, 32, 64, 128, 256, 512, 1024)


class _SamePadMaxPool(nn.Module):
    """Darknet's ``size=2 stride=1`` max-pool: the output keeps the input
    size; the pixels beyond the border are ignored (replicate padding gives
    the same max)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(F.pad(x, (0, 1, 0, 1), mode='replicate'), 2, 1)


@MODELS.register_module()
class DarknetTiny(BaseModule):
    """The tiny-YOLOv3 backbone (darknet ``yolov3-tiny.cfg``), the detector
    the public DeepMPV+ inference script runs (`Towards Palmprint
    Verification on Smartphones <https://arxiv.org/abs/2003.13266>`_;
    YOLOv3: `<https://arxiv.org/abs/1804.02767>`_).

    Seven 3x3 conv-BN-LeakyReLU(0.1) layers with 16, 32, ..., 1024 output
    channels; a 2x2 stride-2 max-pool follows each of the first five and a
    2x2 stride-1 'same' max-pool the sixth, so layer :math:`i` (0-based)
    has stride :math:`2^{\\min(i, 5)}`. The tiny-YOLOv3 head reads layer 4
    (256 channels, stride 16) and layer 6 (1024 channels, stride 32).

    Args:
        widen_factor (float): Channel multiplier (ours, for CPU demos).
            Defaults to 1.0.
        out_indices (Sequence[int]): Layers to return. Defaults to (4, 6).
        norm_cfg (dict): Norm config. Defaults to BN.
        act_cfg (dict): Activation config. Defaults to LeakyReLU(0.1).
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 widen_factor: float = 1.0,
                 out_indices: Sequence[int] = (4, 6),
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 act_cfg: ConfigType = dict(
                     type='LeakyReLU', negative_slope=0.1),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if widen_factor <= 0:
            raise ValueError('DarknetTiny: `widen_factor` must be > 0, got '
                             f'{widen_factor}')
        bad = [i for i in out_indices if not 0 <= i < len(TINY_CHANNELS)]
        if bad or not out_indices:
            raise ValueError('DarknetTiny: `out_indices` must be non-empty '
                             f'layer indices in [0, 6], got {out_indices}')
        self.out_indices = tuple(out_indices)
        self.channels = tuple(
            max(int(round(c * widen_factor)), 1) for c in TINY_CHANNELS)
        self.layers = nn.ModuleList()
        in_ch = 3
        for i, out_ch in enumerate(self.channels):
            self.layers.append(
                ConvModule(in_ch, out_ch, 3, padding=1, norm_cfg=norm_cfg,
                           act_cfg=act_cfg))
            in_ch = out_ch
        self.pools = nn.ModuleList(
            [nn.MaxPool2d(2, 2) for _ in range(5)] + [_SamePadMaxPool()])

    @property
    def out_channels(self) -> Tuple[int, ...]:
        """Channels of the returned layers."""
        return tuple(self.channels[i] for i in self.out_indices)

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Features of ``out_indices`` (taken before the layer's pool)."""
        outs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i in self.out_indices:
                outs.append(x)
            if i < len(self.pools):
                x = self.pools[i](x)
        return tuple(outs)
