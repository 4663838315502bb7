# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""TinyYOLOV3Neck: the two-scale neck of tiny-YOLOv3."""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor


@MODELS.register_module()
class TinyYOLOV3Neck(BaseModule):
    """The neck of tiny-YOLOv3 (darknet ``yolov3-tiny.cfg``), used by the
    DeepMPV+ inference script's finger-gap detector (`Towards Palmprint
    Verification on Smartphones <https://arxiv.org/abs/2003.13266>`_).

    With :math:`C_{16}, C_{32}` the backbone features of stride 16 and 32,

    .. math::
        P_{32} = \\mathrm{conv}_{1\\times1}(C_{32}), \\qquad
        P_{16} = [\\mathrm{up}_2(\\mathrm{conv}_{1\\times1}(P_{32})),
        C_{16}]

    (channel concatenation, nearest upsampling). ``YOLOV3Head``'s 3x3
    bridge convolutions (512 and 256 channels) and 1x1 predictions complete
    the two darknet detection branches. Outputs are ordered stride 32 then
    16, as ``YOLOV3Head``'s ``featmap_strides``.

    Args:
        in_channels (Sequence[int]): Channels of (C16, C32).
            Defaults to (256, 1024).
        lateral_channels (int): Channels of :math:`P_{32}`.
            Defaults to 256.
        up_channels (int): Channels of the 1x1 conv before upsampling.
            Defaults to 128.
        norm_cfg (dict): Norm config. Defaults to BN.
        act_cfg (dict): Activation. Defaults to LeakyReLU(0.1).
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: Sequence[int] = (256, 1024),
                 lateral_channels: int = 256,
                 up_channels: int = 128,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 act_cfg: ConfigType = dict(
                     type='LeakyReLU', negative_slope=0.1),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(in_channels) != 2:
            raise ValueError('TinyYOLOV3Neck: `in_channels` must give the '
                             'channels of the stride-16 and stride-32 '
                             f'features, got {in_channels}')
        cfg = dict(norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.lateral = ConvModule(in_channels[1], lateral_channels, 1, **cfg)
        self.reduce = ConvModule(lateral_channels, up_channels, 1, **cfg)
        self.out_channels = (lateral_channels, up_channels + in_channels[0])

    def forward(self, feats: Sequence[Tensor]) -> Tuple[Tensor, Tensor]:
        """(P32, P16) from (C16, C32)."""
        if len(feats) != 2:
            raise ValueError('TinyYOLOV3Neck: expects 2 feature maps '
                             f'(stride 16, 32), got {len(feats)}')
        c16, c32 = feats
        p32 = self.lateral(c32)
        up = F.interpolate(self.reduce(p32), size=c16.shape[-2:],
                           mode='nearest')
        return p32, torch.cat([up, c16], dim=1)
