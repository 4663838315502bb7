# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The asymmetric convolution block of ACFD's AOSA modules."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer, build_conv_layer, build_norm_layer
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor


class AsymmetricConvModule(BaseModule):
    """Parallel ``k x k``, ``1 x k`` and ``k x 1`` convolutions, each with its
    own norm, summed, then activated.

    The 3x3 layers of ACFD's asymmetric one-shot aggregation (AOSA) modules
    (`ACFD <https://arxiv.org/abs/2007.00899>`_; the branch layout follows
    ACNet, `arXiv:1908.03930 <https://arxiv.org/abs/1908.03930>`_, since the
    ACFD paper does not publish it):

    .. math::
        y = \\sigma\\big(BN_s(W_{k\\times k} * x) + BN_h(W_{1\\times k} * x)
            + BN_v(W_{k\\times 1} * x)\\big)

    The horizontal and vertical branches widen the receptive field along one
    axis, which suits faces of extreme aspect ratio. All three branches are
    linear up to the activation, so :meth:`switch_to_deploy` folds each norm
    into its convolution and the three kernels into one ``k x k``
    convolution with the same output (structural re-parameterisation).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): ``k``, odd. Defaults to 3.
        stride (int): Stride of every branch. Defaults to 1.
        groups (int): Convolution groups. Defaults to 1.
        norm_cfg (dict): Norm of each branch. Only batch norm can be folded
            for deployment. Defaults to ``dict(type='BN')``.
        act_cfg (dict, optional): Activation after the sum; None for none.
            Defaults to ``dict(type='ReLU', inplace=True)``.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 3,
                 stride: int = 1,
                 groups: int = 1,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: OptConfigType = dict(type='ReLU', inplace=True),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if kernel_size % 2 != 1:
            raise ValueError(
                f'kernel_size must be odd, got {kernel_size}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.groups = groups
        self.norm_cfg = norm_cfg
        self.deployed = False
        pad = kernel_size // 2
        shapes = dict(
            square=((kernel_size, kernel_size), (pad, pad)),
            hor=((1, kernel_size), (0, pad)),
            ver=((kernel_size, 1), (pad, 0)))
        for name, (kernel, padding) in shapes.items():
            self.add_module(f'{name}_conv',
                            nn.Conv2d(
                                in_channels,
                                out_channels,
                                kernel,
                                stride=stride,
                                padding=padding,
                                groups=groups,
                                bias=False))
            self.add_module(f'{name}_norm',
                            build_norm_layer(norm_cfg, out_channels)[1])
        self.act = build_activation_layer(act_cfg) if act_cfg else \
            nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        if self.deployed:
            return self.act(self.fused_conv(x))
        out = self.square_norm(self.square_conv(x))
        out = out + self.hor_norm(self.hor_conv(x))
        out = out + self.ver_norm(self.ver_conv(x))
        return self.act(out)

    def _fold_norm(self, conv: nn.Conv2d,
                   norm: nn.Module) -> Tuple[Tensor, Tensor]:
        if not isinstance(norm, nn.modules.batchnorm._BatchNorm):
            raise TypeError(
                'switch_to_deploy folds batch norm only; this block uses '
                f'{type(norm).__name__} (norm_cfg={self.norm_cfg})')
        std = (norm.running_var + norm.eps).sqrt()
        scale = norm.weight / std
        kernel = conv.weight * scale.reshape(-1, 1, 1, 1)
        bias = norm.bias - norm.running_mean * scale
        return kernel, bias

    def _equivalent_kernel_bias(self) -> Tuple[Tensor, Tensor]:
        k = self.kernel_size
        pad = k // 2
        kernel, bias = self._fold_norm(self.square_conv, self.square_norm)
        hor_k, hor_b = self._fold_norm(self.hor_conv, self.hor_norm)
        ver_k, ver_b = self._fold_norm(self.ver_conv, self.ver_norm)
        kernel = kernel + F.pad(hor_k, (0, 0, pad, pad))
        kernel = kernel + F.pad(ver_k, (pad, pad, 0, 0))
        return kernel, bias + hor_b + ver_b

    @torch.no_grad()
    def switch_to_deploy(self) -> None:
        """Replace the three branches by one equivalent convolution."""
        if self.deployed:
            return
        kernel, bias = self._equivalent_kernel_bias()
        self.fused_conv = build_conv_layer(
            None,
            self.in_channels,
            self.out_channels,
            self.kernel_size,
            stride=self.stride,
            padding=self.kernel_size // 2,
            groups=self.groups,
            bias=True)
        self.fused_conv.weight.copy_(kernel)
        self.fused_conv.bias.copy_(bias)
        for name in ('square', 'hor', 'ver'):
            delattr(self, f'{name}_conv')
            delattr(self, f'{name}_norm')
        self.deployed = True


def switch_to_deploy(model: nn.Module) -> Optional[nn.Module]:
    """Fuse every :class:`AsymmetricConvModule` of ``model`` in place."""
    for module in model.modules():
        if isinstance(module, AsymmetricConvModule):
            module.switch_to_deploy()
    return model
