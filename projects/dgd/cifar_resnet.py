# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The 6n+2-layer CIFAR ResNets (ResNet-20/32/44/56/110)."""
from mmpretrain.models.backbones import ResNet_CIFAR
from mmpretrain.models.backbones.resnet import BasicBlock
from mmpretrain.registry import MODELS


@MODELS.register_module()
class CifarResNet(ResNet_CIFAR):
    """CIFAR ResNet of `Deep Residual Learning
    <https://arxiv.org/abs/1512.03385>`_ (section 4.2), used by filter
    grafting (arXiv 2001.05868): a 3x3 stem, three stages of n basic blocks
    with 16/32/64 channels, depth = 6n + 2.

    mmpretrain's ``ResNet_CIFAR`` only has the ImageNet depths; this adds
    the CIFAR ones and the CIFAR widths as defaults. Shortcuts that change
    shape are 1x1 conv + BN (option B).

    Args:
        depth (int): 20, 32, 44, 56 or 110. Defaults to 56.
        stem_channels (int): Defaults to 16.
        base_channels (int): Defaults to 16.
        num_stages (int): Defaults to 3.
        strides (tuple[int]): Defaults to (1, 2, 2).
        dilations (tuple[int]): Defaults to (1, 1, 1).
        out_indices (tuple[int]): Defaults to (2, ).
        **kwargs: Other ``ResNet_CIFAR`` arguments.
    """

    arch_settings = {
        20: (BasicBlock, (3, 3, 3)),
        32: (BasicBlock, (5, 5, 5)),
        44: (BasicBlock, (7, 7, 7)),
        56: (BasicBlock, (9, 9, 9)),
        110: (BasicBlock, (18, 18, 18)),
    }

    def __init__(self,
                 depth: int = 56,
                 stem_channels: int = 16,
                 base_channels: int = 16,
                 num_stages: int = 3,
                 strides: tuple = (1, 2, 2),
                 dilations: tuple = (1, 1, 1),
                 out_indices: tuple = (2, ),
                 **kwargs) -> None:
        super().__init__(depth=depth,
                         stem_channels=stem_channels,
                         base_channels=base_channels,
                         num_stages=num_stages,
                         strides=strides,
                         dilations=dilations,
                         out_indices=out_indices,
                         **kwargs)
