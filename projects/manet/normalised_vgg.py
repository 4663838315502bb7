# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The frozen "normalised" VGG-19 encoder of AdaIN and MANet."""
from typing import Dict, List, Optional, Sequence, Tuple

from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor, nn

# VGG-19 convolutions per block; the fifth block is used up to conv5_1.
_BLOCK_CONVS = (2, 2, 4, 4, 4)
# relu1_1 .. relu5_1 come after these many 3x3 convs.
_TAP_CONVS = (1, 3, 5, 9, 13)


def official_vgg_conv_indices() -> List[int]:
    """Indices of the convolutions in the official 53-layer
    ``nn.Sequential`` (``vgg_normalised.pth``): the 1x1 conv at 0, then per
    3x3 conv a ``ReflectionPad2d``, the conv and a ``ReLU``, with a max pool
    after each of the first four blocks."""
    indices, position = [0], 1
    for block, convs in enumerate(_BLOCK_CONVS):
        for _ in range(convs):
            indices.append(position + 1)
            position += 3
        if block < len(_BLOCK_CONVS) - 1:
            position += 1
    return indices


@MODELS.register_module()
class NormalisedVGG19Encoder(BaseModule):
    """The frozen VGG-19 encoder (up to relu5_1) of `Arbitrary Style
    Transfer via Multi-Adaptation Network <https://arxiv.org/abs/2005.13219>`_,
    the "normalised" VGG of AdaIN (`Arbitrary Style Transfer in Real-time
    with Adaptive Instance Normalization <https://arxiv.org/abs/1703.06868>`_).

    Input: RGB in [0, 1] with no mean/std; a leading 1x1 conv (3 -> 3)
    holds the normalisation. Then the VGG-19 3x3 convs with
    ``ReflectionPad2d(1)`` and ReLU, ``MaxPool2d(2, 2, ceil_mode=True)``
    between blocks, and the five taps

    .. math::
        \\phi_1..\\phi_5 = \\mathrm{relu1\\_1}, \\mathrm{relu2\\_1},
        \\mathrm{relu3\\_1}, \\mathrm{relu4\\_1}, \\mathrm{relu5\\_1}

    at strides 1, 2, 4, 8, 16 (ceil: an ``H``-row input gives
    :math:`\\lceil H / 2^{k} \\rceil` rows). This is the official layout's
    first 44 layers (``children()[:44]``); the official file also holds
    conv5_2..conv5_4, which the converter drops (they never run).
    All parameters are frozen (``requires_grad=False``); gradients still
    flow to the input. Without pretrained weights the convs get mmcv's
    seeded Kaiming initialisation, a stand-in for the real weights.

    Args:
        widths (Sequence[int]): Output channels of the five blocks.
            Defaults to ``(64, 128, 256, 512, 512)`` (VGG-19); smaller
            widths are for tests and CPU demos only.
        init_cfg (dict | list[dict], optional): e.g. ``dict(type=
            'Pretrained', checkpoint='vgg_normalised_mm.pth')`` after
            conversion. Defaults to None.
    """

    def __init__(self,
                 widths: Sequence[int] = (64, 128, 256, 512, 512),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(widths) != 5 or min(widths) < 1:
            raise ValueError('NormalisedVGG19Encoder: widths needs five '
                             f'positive channel counts, got {widths}')
        self.widths = tuple(widths)
        self.normalise = nn.Conv2d(3, 3, 1)
        self.stages = nn.ModuleList(self._build_stages())
        self._freeze()

    def _build_stages(self) -> List[nn.Sequential]:
        convs, in_channels = [], 3
        for block, count in enumerate(_BLOCK_CONVS):
            for _ in range(count):
                if len(convs) == _TAP_CONVS[-1]:
                    break
                convs.append((block, _conv3x3(in_channels,
                                              self.widths[block])))
                in_channels = self.widths[block]
        stages, start = [], 0
        for end in _TAP_CONVS:
            layers = []
            for index in range(start, end):
                block, conv = convs[index]
                if index > 0 and convs[index - 1][0] != block:
                    layers.append(
                        nn.MaxPool2d(2, 2, padding=0, ceil_mode=True))
                layers.append(conv)
            stages.append(nn.Sequential(*layers))
            start = end
        return stages

    def _freeze(self) -> None:
        for param in self.parameters():
            param.requires_grad = False

    def train(self, mode: bool = True) -> 'NormalisedVGG19Encoder':
        """Stay in eval mode: the encoder is frozen."""
        return super().train(False)

    @property
    def out_channels(self) -> Tuple[int, ...]:
        """Channels of relu1_1 .. relu5_1."""
        return self.widths

    def forward(self, img: Tensor, num_taps: int = 5) -> List[Tensor]:
        """relu1_1 .. relu``num_taps``_1 of ``(B, 3, H, W)`` images in
        [0, 1]."""
        if img.dim() != 4 or img.shape[1] != 3:
            raise ValueError('NormalisedVGG19Encoder expects (B, 3, H, W) '
                             f'images, got shape {tuple(img.shape)}')
        smallest = min(img.shape[-2:])
        needed = 2**(num_taps - 1) + 1
        if smallest < needed:
            raise ValueError(
                f'NormalisedVGG19Encoder: a {img.shape[-2]}x{img.shape[-1]} '
                f'image is too small for relu{num_taps}_1 (reflection '
                f'padding needs 2 pixels there): each side needs at least '
                f'{needed} pixels')
        feats, feat = [], self.normalise(img)
        for stage in self.stages[:num_taps]:
            feat = stage(feat)
            feats.append(feat)
        return feats

    def official_key_map(self) -> Dict[str, Optional[str]]:
        """Official ``vgg_normalised.pth`` key -> this module's key (None
        for conv5_2..conv5_4, which are not part of the encoder)."""
        ours = [
            name for name, module in self.named_modules()
            if isinstance(module, nn.Conv2d)
        ]
        mapping: Dict[str, Optional[str]] = {}
        for position, index in enumerate(official_vgg_conv_indices()):
            for param in ('weight', 'bias'):
                target = (f'{ours[position]}.{param}'
                          if position < len(ours) else None)
                mapping[f'{index}.{param}'] = target
        return mapping


def _conv3x3(in_channels: int, out_channels: int) -> ConvModule:
    return ConvModule(
        in_channels,
        out_channels,
        3,
        padding=1,
        padding_mode='reflect',
        norm_cfg=None,
        act_cfg=dict(type='ReLU'))
