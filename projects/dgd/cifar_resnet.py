# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The 6n+2-layer CIFAR ResNets (ResNet-20/32/44/56/110)."""
from typing import Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.backbones import ResNet_CIFAR
from mmpretrain.models.backbones.resnet import BasicBlock, ResLayer
from mmpretrain.registry import MODELS

SHORTCUTS = ('A', 'B')


class _ZeroPadShortcut(nn.Module):
    """Option-A shortcut: subsample by the stride, then append zero
    channels (half before, half after), without parameters."""

    def __init__(self, stride: int, extra_channels: int) -> None:
        super().__init__()
        self.stride = stride
        self.before = extra_channels // 2
        self.after = extra_channels - self.before

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, self.before, self.after))


@MODELS.register_module()
class CifarResNet(ResNet_CIFAR):
    """CIFAR ResNet of `Deep Residual Learning
    <https://arxiv.org/abs/1512.03385>`_ (section 4.2), used by filter
    grafting (arXiv 2001.05868): a 3x3 stem, three stages of n basic blocks
    with 16/32/64 channels, depth = 6n + 2.

    mmpretrain's ``ResNet_CIFAR`` only has the ImageNet depths; this adds
    the CIFAR ones and the CIFAR widths as defaults.

    Shortcuts that change shape: ``'A'`` (the ResNet paper's CIFAR choice
    and the grafting code's model, 0.85M parameters for ResNet-56 on
    CIFAR-10), :math:`x \\mapsto \\mathrm{pad}_C(x[:, :, ::s, ::s])`, the
    subsampled input with zero channels appended; or ``'B'``, 1x1 conv + BN
    (mmpretrain's ``ResNet``).

    Initialisation as the official ``_weights_init``: Kaiming normal with
    fan-in (gain :math:`\\sqrt 2`) for every conv, BN weights 1 and biases 0,
    and no zero-initialised last BN in the residual blocks (mmpretrain's
    ``ResNet`` default ``zero_init_residual=True`` is switched off).

    Args:
        depth (int): 20, 32, 44, 56 or 110. Defaults to 56.
        shortcut (str): ``'A'`` or ``'B'``. Defaults to ``'A'``.
        stem_channels (int): Defaults to 16.
        base_channels (int): Defaults to 16.
        num_stages (int): Defaults to 3.
        strides (tuple[int]): Defaults to (1, 2, 2).
        dilations (tuple[int]): Defaults to (1, 1, 1).
        out_indices (tuple[int]): Defaults to (2, ).
        zero_init_residual (bool): Zero-initialise the last BN of each
            block. Defaults to False (official).
        init_cfg (dict | list[dict]): Defaults to the official Kaiming
            fan-in init of the convs and constant 1 / 0 BN.
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
                 shortcut: str = 'A',
                 stem_channels: int = 16,
                 base_channels: int = 16,
                 num_stages: int = 3,
                 strides: tuple = (1, 2, 2),
                 dilations: tuple = (1, 1, 1),
                 out_indices: tuple = (2, ),
                 zero_init_residual: bool = False,
                 init_cfg: Union[dict, list] = [
                     dict(type='Kaiming',
                          layer=['Conv2d'],
                          a=0,
                          mode='fan_in',
                          nonlinearity='leaky_relu',
                          distribution='normal'),
                     dict(type='Constant', val=1, layer=['_BatchNorm'])
                 ],
                 **kwargs) -> None:
        if shortcut not in SHORTCUTS:
            raise ValueError(f'CifarResNet: shortcut must be one of '
                             f'{SHORTCUTS}, got {shortcut!r}')
        self.shortcut_type = shortcut
        super().__init__(depth=depth,
                         stem_channels=stem_channels,
                         base_channels=base_channels,
                         num_stages=num_stages,
                         strides=strides,
                         dilations=dilations,
                         out_indices=out_indices,
                         zero_init_residual=zero_init_residual,
                         init_cfg=init_cfg,
                         **kwargs)

    def make_res_layer(self, **kwargs) -> ResLayer:
        """A stage; with option A its first block's projection shortcut is
        replaced by the parameter-free zero-padding one."""
        layer = ResLayer(**kwargs)
        first = layer[0]
        if self.shortcut_type == 'A' and first.downsample is not None:
            extra = kwargs['out_channels'] - kwargs['in_channels']
            if extra < 0:
                raise ValueError('CifarResNet: option-A shortcuts cannot '
                                 'reduce channels; use shortcut=\'B\'')
            first.downsample = _ZeroPadShortcut(kwargs.get('stride', 1),
                                                extra)
        return layer
