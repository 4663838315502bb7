# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The AdaIN/MANet decoder: VGG-19 mirrored from relu4_1 to the image."""
from typing import Dict, List, Optional, Sequence, Union

from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor, nn

# (in, out) as indices into widths (0..3), or -1 for RGB; 'up' = nearest x2.
_LAYOUT = ((3, 2), 'up', (2, 2), (2, 2), (2, 2), (2, 1), 'up', (1, 1),
           (1, 0), 'up', (0, 0), (0, -1))


def official_decoder_conv_indices() -> List[int]:
    """Indices of the convolutions in the official decoder
    ``nn.Sequential`` (``decoder_iter_160000.pth``): each conv follows a
    ``ReflectionPad2d`` and (but the last) precedes a ``ReLU``."""
    indices, position = [], 0
    for layer in _LAYOUT:
        if layer == 'up':
            position += 1
            continue
        indices.append(position + 1)
        position += 3
    return indices


@MODELS.register_module()
class MirrorVGGDecoder(BaseModule):
    """Decoder of `Arbitrary Style Transfer via Multi-Adaptation Network
    <https://arxiv.org/abs/2005.13219>`_ (the AdaIN decoder): relu4_1
    features back to an RGB image,

    .. math::
        512 \\to 256, \\uparrow, (256 \\to 256) \\times 3, 256 \\to 128,
        \\uparrow, 128 \\to 128, 128 \\to 64, \\uparrow, 64 \\to 64,
        64 \\to 3

    with 3x3 convs after ``ReflectionPad2d(1)``, ReLU after each but the
    last and nearest x2 upsampling (an ``h``-row input gives ``8h`` rows).
    The convs start from PyTorch's default initialisation like the official
    ``nn.Sequential`` (mmcv's ``ConvModule`` would apply Kaiming).

    Args:
        widths (Sequence[int]): The encoder's first four block widths.
            Defaults to ``(64, 128, 256, 512)``.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None.
    """

    def __init__(self,
                 widths: Sequence[int] = (64, 128, 256, 512),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(widths) < 4 or min(widths[:4]) < 1:
            raise ValueError('MirrorVGGDecoder: widths needs four positive '
                             f'channel counts, got {widths}')
        channels = list(widths[:4])
        self.in_channels = channels[3]
        layers: List[nn.Module] = []
        for layer in _LAYOUT:
            if layer == 'up':
                layers.append(nn.Upsample(scale_factor=2, mode='nearest'))
                continue
            source, target = layer
            last = target < 0
            layers.append(
                ConvModule(
                    channels[source],
                    3 if last else channels[target],
                    3,
                    padding=1,
                    padding_mode='reflect',
                    norm_cfg=None,
                    act_cfg=None if last else dict(type='ReLU')))
        self.layers = nn.Sequential(*layers)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                module.reset_parameters()

    def forward(self, feat: Tensor) -> Tensor:
        """Decode ``(B, C4, h, w)`` relu4_1 features to ``(B, 3, 8h, 8w)``."""
        return self.layers(feat)

    def official_key_map(self) -> Dict[str, str]:
        """Official decoder key (``1.weight``, ...) -> this module's key."""
        ours = [
            name for name, module in self.named_modules()
            if isinstance(module, nn.Conv2d)
        ]
        return {
            f'{index}.{param}': f'{name}.{param}'
            for index, name in zip(official_decoder_conv_indices(), ours)
            for param in ('weight', 'bias')
        }
