# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MobileNetV2 with the CIFAR strides used by filter grafting."""
from mmpretrain.models.backbones import MobileNetV2
from mmpretrain.registry import MODELS


@MODELS.register_module()
class CifarMobileNetV2(MobileNetV2):
    """`MobileNetV2 <https://arxiv.org/abs/1801.04381>`_ for 32x32 inputs.

    The CIFAR version trained by filter grafting (arXiv 2001.05868, from
    the common ``pytorch-cifar`` model) keeps the ImageNet widths but uses
    stride 1 in the stem and in the second stage (24 channels), so the
    total stride is 8 (a 4x4 map for CIFAR) instead of 32.

    Args:
        **kwargs: The arguments of mmpretrain's ``MobileNetV2``
            (``widen_factor``, ``out_indices``, ``norm_cfg``, ...).
    """

    # (expand ratio, channels, blocks, stride): stage 2 stride 2 -> 1
    arch_settings = [[1, 16, 1, 1], [6, 24, 2, 1], [6, 32, 3, 2],
                     [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
                     [6, 320, 1, 1]]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.conv1.conv.stride = (1, 1)
