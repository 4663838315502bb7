# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ABi-FPN: ACFD's asymmetric bi-directional feature pyramid."""
import functools
import logging
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.logging import print_log
from mmengine.model import BaseModule
from torch import Tensor

try:
    # the compiled CPU kernels of a fusion node (setup.py builds them from
    # projects/acfd/csrc/abifpn_ops.cpp); without them the PyTorch path runs
    from projects.acfd import _abifpn_ops
except ImportError:  # pragma: no cover - a build without a C++ compiler
    _abifpn_ops = None


def cpu_kernels_available() -> bool:
    """Whether the compiled CPU kernels of ABi-FPN's fusion nodes are
    built (``pip install -e .`` builds them where a C++ compiler is)."""
    return _abifpn_ops is not None


def _takes_cpu_kernels(maps: Sequence[Tensor],
                       params: Sequence[Tensor]) -> bool:
    """The compiled kernels apply: built, 4-D maps, CPU float32 or float64
    maps and parameters of one dtype, and no CPU autocast (which asks for
    bfloat16 arithmetic)."""
    tensors = list(maps) + list(params)
    return (_abifpn_ops is not None
            and not torch.is_autocast_enabled('cpu')
            and tensors[0].dtype in (torch.float32, torch.float64)
            and all(x.dim() == 4 for x in maps)
            and all(t.device.type == 'cpu' and t.dtype == tensors[0].dtype
                    for t in tensors))


def _flat(x: Tensor) -> Tensor:
    """``x``'s elements as a 1-D tensor in memory order (a view for
    contiguous and channels-last tensors)."""
    if x.dim() == 4 and not x.is_contiguous() and x.is_contiguous(
            memory_format=torch.channels_last):
        return x.permute(0, 2, 3, 1).reshape(-1)
    return x.reshape(-1)


def _dot(a: Tensor, b: Tensor) -> Tensor:
    """:math:`\\sum a \\odot b` without the product tensor where both have
    the same strides (then their flat views pair the same elements)."""
    if a.shape == b.shape and a.stride() == b.stride():
        return torch.dot(_flat(a), _flat(b))
    return (a * b).sum()


class _WeightedSum(torch.autograd.Function):
    """:math:`O = \\sum_i w_i I_i` with the gradients
    :math:`\\partial L / \\partial I_i = w_i G` and
    :math:`\\partial L / \\partial w_i = \\langle G, I_i \\rangle`.

    Autograd records a product per input and the additions, and its
    backward makes the tensor :math:`G \\odot I_i` for each weight before
    summing it; here the forward is one product and an in-place
    multiply-add per further input, and each weight's gradient one dot
    product (fewer passes over the maps and no temporaries).
    """

    @staticmethod
    def forward(ctx, weights: Tensor, *inputs: Tensor) -> Tensor:
        dtype = functools.reduce(torch.promote_types,
                                 [x.dtype for x in inputs])
        out = inputs[0].to(dtype) * weights[0]
        for weight, x in zip(weights[1:], inputs[1:]):
            out.addcmul_(x, weight)
        ctx.save_for_backward(weights, *inputs)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tuple[Optional[Tensor], ...]:
        weights, *inputs = ctx.saved_tensors
        grad_weights = torch.stack([_dot(grad, x) for x in inputs]) \
            if ctx.needs_input_grad[0] else None
        return (grad_weights, ) + tuple(
            grad * weight if needed else None
            for weight, needed in zip(weights, ctx.needs_input_grad[1:]))


class AsymmetricSeparableConv(BaseModule):
    """Depthwise ``k x 1`` and ``1 x k`` branches, summed, then a pointwise
    convolution with norm and activation:
    :math:`y = \\sigma(BN(W_{pw} (D_{k\\times1} x + D_{1\\times k} x)))`.
    With ``asymmetric=False`` the depthwise part is one ``k x k`` kernel.

    Both branches are linear and share input and padding, so
    :math:`D_{k\\times1} x + D_{1\\times k} x = D_{k\\times k} x` with the
    ``k x 1`` kernel in the middle column of the ``k x k`` one and the
    ``1 x k`` kernel added to its middle row: the forward runs that one
    depthwise convolution (one kernel call instead of two and an addition;
    the two branches stay the parameters, ``tests/test_acfd/test_neck.py``
    compares outputs and gradients with the two-branch form). On
    channels-last inputs the pointwise convolution runs as a matrix product
    of the ``(pixels, C)`` view and its weight (one GEMM; with 2 CPU threads
    a oneDNN 1x1 convolution of 128 channels costs 1.7x to 2.1x as much
    forward+backward on maps of 8x8 to 2x2 pixels, ``configs/acfd/README.md``).

    In a fusion node (:meth:`forward_fused`) on CPU channels-last float
    maps, the compiled kernels of ``projects/acfd/csrc/abifpn_ops.cpp`` run
    the node instead: the fusion's weighted sum and the depthwise
    convolution as one call, and (with a training-mode ``BN`` and ``ReLU``)
    the pointwise convolution, batch norm and ReLU as another, each with a
    hand-written backward. They compute the PyTorch path's values, gradients
    and running statistics (``tests/test_acfd/test_abifpn_ops.py``); any
    other case (GPU, autocast, NCHW maps, other norms or activations, eval
    mode for the second kernel) takes the PyTorch path.

    Args:
        channels (int): Input and output channels.
        kernel_size (int): ``k``, odd. Defaults to 3.
        asymmetric (bool): Use the two asymmetric branches.
            Defaults to True.
        norm_cfg (dict): Norm after the pointwise conv.
        act_cfg (dict): Activation after the norm.
        cpu_kernels (bool): Use the compiled CPU kernels where they apply.
            Defaults to True.
    """

    def __init__(self,
                 channels: int,
                 kernel_size: int = 3,
                 asymmetric: bool = True,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 cpu_kernels: bool = True) -> None:
        super().__init__()
        pad = kernel_size // 2
        self.asymmetric = asymmetric
        self.channels = channels
        self.kernel_size = kernel_size
        self.padding = pad
        self.cpu_kernels = cpu_kernels
        if asymmetric:
            self.dw_ver = nn.Conv2d(
                channels, channels, (kernel_size, 1), padding=(pad, 0),
                groups=channels, bias=False)
            self.dw_hor = nn.Conv2d(
                channels, channels, (1, kernel_size), padding=(0, pad),
                groups=channels, bias=False)
        else:
            self.dw = nn.Conv2d(
                channels, channels, kernel_size, padding=pad,
                groups=channels, bias=False)
        self.pw = ConvModule(
            channels, channels, 1, norm_cfg=norm_cfg, act_cfg=act_cfg)

    def depthwise_branches(self) -> List[Tensor]:
        """The depthwise kernels, ``(C, 1, kh, kw)`` each, whose sum (centred
        in ``k x k``) is the depthwise part."""
        if not self.asymmetric:
            return [self.dw.weight]
        return [self.dw_ver.weight, self.dw_hor.weight]

    def depthwise_kernel(self) -> Tensor:
        """The ``(C, 1, k, k)`` depthwise kernel of the summed branches."""
        if not self.asymmetric:
            return self.dw.weight
        pad = self.padding
        return (F.pad(self.dw_ver.weight, (pad, pad, 0, 0)) +
                F.pad(self.dw_hor.weight, (0, 0, pad, pad)))

    def forward(self, x: Tensor) -> Tensor:
        return self._pointwise(
            F.conv2d(x, self.depthwise_kernel(), padding=self.padding,
                     groups=self.channels))

    def forward_fused(self, fusion: 'WeightedFusion',
                      inputs: Sequence[Tensor]) -> Tensor:
        """``self(fusion(inputs))``; with the compiled CPU kernels the
        fusion and the depthwise convolution are one call, the pointwise
        convolution, batch norm and ReLU another."""
        if not (self.cpu_kernels and all(
                x.is_contiguous(memory_format=torch.channels_last)
                for x in inputs) and _takes_cpu_kernels(
                    inputs, [fusion.weight] + self.depthwise_branches())):
            return self(fusion(inputs))
        fusion.check_inputs(inputs)
        return self._pointwise(
            _abifpn_ops.fusion_depthwise(fusion.weight, fusion.eps,
                                         self.kernel_size,
                                         self.depthwise_branches(),
                                         list(inputs)))

    def _pointwise(self, x: Tensor) -> Tensor:
        if not x.is_contiguous(memory_format=torch.channels_last):
            return self.pw(x)
        if self._takes_bn_relu_kernel(x):
            return self._pointwise_bn_relu(x)
        # the NHWC view is a (pixels x channels) matrix: one GEMM instead
        # of a oneDNN 1x1 convolution and its fixed cost per call
        conv = self.pw.conv
        x = F.linear(x.permute(0, 2, 3, 1), conv.weight.flatten(1),
                     conv.bias).permute(0, 3, 1, 2)
        if self.pw.with_norm:
            x = self.pw.norm(x)
        if self.pw.with_activation:
            x = self.pw.activate(x)
        return x

    def _takes_bn_relu_kernel(self, x: Tensor) -> bool:
        """The compiled pointwise + batch norm + ReLU kernel computes what
        ``self.pw`` does: a bias-free conv, then a training-mode
        ``nn.BatchNorm2d`` with affine parameters and running statistics,
        then ``nn.ReLU``."""
        pw = self.pw
        norm = pw.norm if pw.with_norm else None
        return (self.cpu_kernels and type(norm) is nn.BatchNorm2d
                and norm.training and norm.affine
                and norm.track_running_stats
                and type(pw.activate if pw.with_activation else None)
                is nn.ReLU and pw.conv.bias is None
                and tuple(pw.order) == ('conv', 'norm', 'act')
                and _takes_cpu_kernels([x], [
                    pw.conv.weight, norm.weight, norm.bias,
                    norm.running_mean, norm.running_var]))

    def _pointwise_bn_relu(self, x: Tensor) -> Tensor:
        norm = self.pw.norm
        if x.numel() <= x.size(1):
            # the error nn.BatchNorm2d raises on the PyTorch path
            raise ValueError(
                'AsymmetricSeparableConv: batch norm needs more than one '
                f'value per channel in training, got an input of size '
                f'{tuple(x.shape)}')
        # nn.BatchNorm2d's bookkeeping: the batch count, and with
        # momentum=None the cumulative average it implies
        norm.num_batches_tracked.add_(1)
        momentum = norm.momentum if norm.momentum is not None else \
            1.0 / float(norm.num_batches_tracked)
        return _abifpn_ops.pointwise_bn_relu(x, self.pw.conv.weight,
                                             norm.weight, norm.bias,
                                             norm.running_mean,
                                             norm.running_var, momentum,
                                             norm.eps)


class WeightedFusion(BaseModule):
    """Fast normalised fusion of EfficientDet's BiFPN:
    :math:`O = \\sum_i \\frac{w_i}{\\epsilon + \\sum_j w_j} I_i` with
    :math:`w = \\mathrm{ReLU}(\\hat w)` learnable and non-negative.

    Args:
        num_inputs (int): Inputs fused.
        eps (float): :math:`\\epsilon`. Defaults to 1e-4.
    """

    def __init__(self, num_inputs: int, eps: float = 1e-4) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_inputs))
        self.eps = eps

    def normalized_weights(self) -> Tensor:
        """The fusion weights: non-negative, summing to (almost) one."""
        weight = F.relu(self.weight)
        return weight / (weight.sum() + self.eps)

    def check_inputs(self, inputs: Sequence[Tensor]) -> None:
        """Raise a ValueError unless ``inputs`` are as many tensors as there
        are weights, all of one shape."""
        if len(inputs) != self.weight.numel() or any(
                x.shape != inputs[0].shape for x in inputs):
            raise ValueError(
                f'WeightedFusion fuses {self.weight.numel()} inputs of one '
                f'shape, got shapes {[tuple(x.shape) for x in inputs]}')

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        self.check_inputs(inputs)
        return _WeightedSum.apply(self.normalized_weights(), *inputs)


class ABiFPNLayer(BaseModule):
    """One top-down then bottom-up pass over ``num_levels`` levels."""

    def __init__(self, channels: int, num_levels: int, kernel_size: int,
                 asymmetric: bool, norm_cfg: ConfigType, act_cfg: ConfigType,
                 cpu_kernels: bool = True) -> None:
        super().__init__()

        def conv() -> AsymmetricSeparableConv:
            return AsymmetricSeparableConv(channels, kernel_size, asymmetric,
                                           norm_cfg, act_cfg, cpu_kernels)

        self.td_fusions = nn.ModuleList(
            WeightedFusion(2) for _ in range(num_levels - 1))
        self.td_convs = nn.ModuleList(conv() for _ in range(num_levels - 1))
        self.bu_fusions = nn.ModuleList(
            WeightedFusion(3 if i < num_levels - 1 else 2)
            for i in range(1, num_levels))
        self.bu_convs = nn.ModuleList(conv() for _ in range(num_levels - 1))

    def forward(self, feats: List[Tensor]) -> List[Tensor]:
        num = len(feats)
        td = [None] * num
        td[-1] = feats[-1]
        for i in range(num - 2, -1, -1):
            up = F.interpolate(td[i + 1], size=feats[i].shape[2:],
                               mode='nearest')
            td[i] = self.td_convs[i].forward_fused(self.td_fusions[i],
                                                   [feats[i], up])
        outs = [td[0]]
        for i in range(1, num):
            down = F.max_pool2d(outs[-1], 3, 2, 1, ceil_mode=False)
            down = F.interpolate(down, size=feats[i].shape[2:],
                                 mode='nearest') \
                if down.shape[2:] != feats[i].shape[2:] else down
            inputs = [feats[i], td[i], down] if i < num - 1 else \
                [feats[i], down]
            outs.append(self.bu_convs[i - 1].forward_fused(
                self.bu_fusions[i - 1], inputs))
        return outs


@MODELS.register_module()
class ABiFPN(BaseModule):
    """Asymmetric bi-directional FPN of `ACFD: Asymmetric Cartoon Face
    Detector <https://arxiv.org/abs/2007.00899>`_.

    A BiFPN (EfficientDet) whose fusion convolutions are depthwise-separable
    with parallel ``k x 1`` and ``1 x k`` kernels, for faces of disparate
    aspect ratios. Inputs go through 1x1 lateral convolutions; extra levels
    come from stride-2 3x3 convolutions on the last one; then ``num_repeats``
    layers each run

    .. math::
        P^{td}_i = \\mathrm{Conv}\\Big(\\frac{w_1 P_i + w_2 \\,
            \\mathrm{Up}(P^{td}_{i+1})}{w_1 + w_2 + \\epsilon}\\Big), \\quad
        P^{out}_i = \\mathrm{Conv}\\Big(\\frac{w'_1 P_i + w'_2 P^{td}_i +
            w'_3 \\mathrm{Down}(P^{out}_{i-1})}{\\sum w' + \\epsilon}\\Big)

    The paper names the module; its topology is our reconstruction (see
    ``configs/acfd/README.md``).

    Args:
        in_channels (Sequence[int]): Channels of the input levels.
        out_channels (int): Channels of every output level.
        num_outs (int): Output levels (>= inputs); the rest are extra.
            Defaults to 5.
        num_repeats (int): Bi-directional layers. Defaults to 2.
        kernel_size (int): ``k`` of the asymmetric kernels. Defaults to 3.
        asymmetric (bool): Asymmetric fusion convs (False: square depthwise
            kernels, a plain BiFPN). Defaults to True.
        norm_cfg (dict): Norm config. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation config. Defaults to ``dict(type='ReLU')``.
        channels_last (bool): Run the pyramid (from the lateral outputs on)
            in the channels-last memory format: the same values, but the
            oneDNN depthwise kernels then work on the tensors directly
            instead of reordering them at every call, and the pointwise
            convolutions run as matrix products (measured in
            ``configs/acfd/README.md``).
            The outputs are then channels-last tensors. Defaults to True.
        cpu_kernels (bool): Run the fusion nodes of a channels-last pyramid
            on the CPU with the compiled kernels (``setup.py`` builds them;
            same values and gradients, see
            :class:`AsymmetricSeparableConv`); False keeps every node on
            PyTorch's operators. Defaults to True.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to Xavier for convolutions.

    Example:
        >>> import torch
        >>> neck = ABiFPN([8, 16, 32], 16, num_outs=4)
        >>> feats = [torch.rand(1, c, s, s) for c, s in ((8, 16), (16, 8),
        ...                                               (32, 4))]
        >>> [tuple(o.shape) for o in neck(feats)]
        [(1, 16, 16, 16), (1, 16, 8, 8), (1, 16, 4, 4), (1, 16, 2, 2)]
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int,
                 num_outs: int = 5,
                 num_repeats: int = 2,
                 kernel_size: int = 3,
                 asymmetric: bool = True,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 channels_last: bool = True,
                 cpu_kernels: bool = True,
                 init_cfg: OptMultiConfig = dict(
                     type='Xavier', layer='Conv2d', distribution='uniform')
                 ) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_outs < len(in_channels):
            raise ValueError(f'num_outs ({num_outs}) must be >= the number '
                             f'of inputs ({len(in_channels)})')
        if num_outs < 2 or num_repeats < 1:
            raise ValueError('ABiFPN needs num_outs >= 2 and num_repeats >= '
                             f'1, got {num_outs} and {num_repeats}')
        if cpu_kernels and not cpu_kernels_available():
            print_log(
                'ABiFPN: the compiled CPU kernels (projects/acfd/csrc) are '
                'not built, so the fusion nodes run on the slower PyTorch '
                'path; reinstall with a C++ compiler (pip install -e .)',
                logger='current', level=logging.WARNING)
        self.in_channels = list(in_channels)
        self.num_outs = num_outs
        self.memory_format = torch.channels_last if channels_last else \
            torch.contiguous_format
        self.laterals = nn.ModuleList(
            ConvModule(c, out_channels, 1, norm_cfg=norm_cfg, act_cfg=None)
            for c in in_channels)
        self.extra_convs = nn.ModuleList(
            ConvModule(
                out_channels,
                out_channels,
                3,
                stride=2,
                padding=1,
                norm_cfg=norm_cfg,
                act_cfg=None) for _ in range(num_outs - len(in_channels)))
        self.layers = nn.Sequential(*(ABiFPNLayer(
            out_channels, num_outs, kernel_size, asymmetric, norm_cfg,
            act_cfg, cpu_kernels) for _ in range(num_repeats)))

    def forward(self, inputs: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
        if len(inputs) != len(self.in_channels):
            raise ValueError(f'ABiFPN expects {len(self.in_channels)} input '
                             f'levels, got {len(inputs)}')
        feats = [
            lat(x).contiguous(memory_format=self.memory_format)
            for lat, x in zip(self.laterals, inputs)
        ]
        for conv in self.extra_convs:
            feats.append(conv(feats[-1]))
        for layer in self.layers:
            feats = layer(feats)
        return tuple(feats)
