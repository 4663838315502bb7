# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Official-layout ``nn.Sequential`` encoder/decoder (as described in the
released ``net.py``: plain convs after ``ReflectionPad2d``, ceil-mode max
pools) and tiny model configs, for the MANet tests."""
import importlib.util
from pathlib import Path
from typing import Sequence

from torch import nn

TINY = (4, 4, 8, 8, 8)
REPO = Path(__file__).resolve().parents[2]


def load_tool(*parts: str):
    """Import a script under the repository root as a module."""
    path = REPO.joinpath(*parts)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def official_vgg(widths: Sequence[int] = (64, 128, 256, 512, 512)
                 ) -> nn.Sequential:
    """The 53-layer normalised VGG-19 with the given block widths."""
    layers, in_ch = [nn.Conv2d(3, 3, 1)], 3
    for block, convs in enumerate((2, 2, 4, 4, 4)):
        for _ in range(convs):
            layers += [
                nn.ReflectionPad2d(1),
                nn.Conv2d(in_ch, widths[block], 3),
                nn.ReLU()
            ]
            in_ch = widths[block]
        if block < 4:
            layers.append(nn.MaxPool2d(2, 2, 0, ceil_mode=True))
    return nn.Sequential(*layers)


def official_decoder(widths: Sequence[int] = (64, 128, 256, 512)
                     ) -> nn.Sequential:
    """The mirror decoder with the given (encoder) widths."""
    c1, c2, c3, c4 = widths[:4]
    plan = [(c4, c3), 'up', (c3, c3), (c3, c3), (c3, c3), (c3, c2), 'up',
            (c2, c2), (c2, c1), 'up', (c1, c1), (c1, 3)]
    layers = []
    for step in plan:
        if step == 'up':
            layers.append(nn.Upsample(scale_factor=2, mode='nearest'))
            continue
        layers += [nn.ReflectionPad2d(1), nn.Conv2d(*step, 3), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def official_taps(vgg: nn.Sequential, img):
    """relu1_1..relu5_1 by the official slices [:4] [4:11] [11:18] [18:31]
    [31:44]."""
    feats, feat = [], img
    for start, end in ((0, 4), (4, 11), (11, 18), (18, 31), (31, 44)):
        feat = vgg[start:end](feat)
        feats.append(feat)
    return feats


def tiny_manet(**kwargs) -> dict:
    return dict(
        type='MANetStyleTransfer',
        encoder=dict(type='NormalisedVGG19Encoder', widths=TINY),
        ma_module=dict(type='MultiAdaptationModule', in_channels=TINY[3]),
        decoder=dict(type='MirrorVGGDecoder', widths=TINY[:4]),
        **kwargs)


def tiny_adain(**kwargs) -> dict:
    return dict(
        type='AdaINStyleTransfer',
        encoder=dict(type='NormalisedVGG19Encoder', widths=TINY),
        decoder=dict(type='MirrorVGGDecoder', widths=TINY[:4]),
        **kwargs)
