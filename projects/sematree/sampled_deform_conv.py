# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Modulated deformable convolution (DCNv2) whose CPU path is bilinear
sampling (``grid_sample``; without gradients, the compiled sampler of
``csrc/deform_sampling.cpp``) and a matrix product; CUDA keeps mmcv's
kernel."""
import functools
import logging
from typing import Any, Optional, Tuple

import torch
import torch.nn.functional as F
from mmcv.ops import ModulatedDeformConv2dPack
from mmengine.logging import print_log
from torch import Tensor

try:
    # compiled sampling of the columns without gradients (setup.py builds
    # it from projects/sematree/csrc/deform_sampling.cpp)
    from projects.sematree import _deform_sampling
except ImportError:  # pragma: no cover - a build without a C++ compiler
    _deform_sampling = None


@functools.lru_cache(maxsize=None)
def _warn_without_sampler() -> None:
    print_log(
        'SampledModulatedDeformConv2dPack: the compiled column sampler '
        '(projects/sematree/csrc) is not built, so CPU inference samples with '
        'grid_sample (same results, slower); reinstall with a C++ compiler '
        '(pip install -e .)',
        logger='current', level=logging.WARNING)


def _takes_compiled_columns(*tensors: Optional[Tensor]) -> bool:
    """The compiled column sampling applies: built, CPU float32/float64
    tensors of one dtype, no autocast, and no gradient wanted (it has no
    backward)."""
    given = [t for t in tensors if t is not None]
    return (_deform_sampling is not None
            and not torch.is_autocast_enabled('cpu')
            and given[0].dtype in (torch.float32, torch.float64)
            and all(t.device.type == 'cpu' and t.dtype == given[0].dtype
                    for t in given)
            and not (torch.is_grad_enabled()
                     and any(t.requires_grad for t in given)))


def _sampling_grid(offset: Tensor, size: Tuple[int, int],
                   kernel: Tuple[int, int], stride: Tuple[int, int],
                   padding: Tuple[int, int], dilation: Tuple[int,
                                                             int]) -> Tensor:
    """``grid_sample`` grid ``(N * G, K, Ho, Wo, 2)`` of the points
    ``p = p_o * stride - padding + p_k * dilation + delta`` (mmcv's offset
    layout: ``(dy, dx)`` pairs, kernel position fastest within a deform
    group), normalised for ``align_corners=False``: pixel ``x`` of a side
    of ``s`` pixels is ``(2x + 1) / s - 1``."""
    n, _, ho, wo = offset.shape
    kh, kw = kernel
    like = dict(dtype=offset.dtype, device=offset.device)
    points = []
    for k, out, s, p, d, side in zip(kernel, (ho, wo), stride, padding,
                                     dilation, size):
        taps = torch.arange(k, **like) * d
        base = torch.arange(out, **like) * s - p
        points.append(((taps.view(k, 1) + base) * 2 + 1) / side - 1)
    base = torch.stack(
        (points[1].view(1, kw, 1, wo).expand(kh, kw, ho, wo),
         points[0].view(kh, 1, ho, 1).expand(kh, kw, ho, wo)),
        dim=-1).view(kh * kw, ho, wo, 2)
    scale = torch.tensor([2 / size[1], 2 / size[0]], **like)
    # explicit group count: -1 is ambiguous for an empty batch
    groups = offset.shape[1] // (2 * kh * kw)
    delta = offset.view(n, groups, kh * kw, 2, ho, wo).permute(
        0, 1, 2, 4, 5, 3)
    grid = torch.addcmul(base, delta.flip(-1), scale)
    return grid.view(n * groups, kh * kw, ho, wo, 2)


def modulated_deform_conv2d_sampled(x: Tensor,
                                    offset: Tensor,
                                    mask: Tensor,
                                    weight: Tensor,
                                    bias: Optional[Tensor],
                                    stride: Tuple[int, int] = (1, 1),
                                    padding: Tuple[int, int] = (0, 0),
                                    dilation: Tuple[int, int] = (1, 1),
                                    deform_groups: int = 1) -> Tensor:
    """DCNv2 of `Deformable ConvNets v2 <https://arxiv.org/abs/1811.11168>`_,

    .. math::
        y(p_o) = \\sum_k w_k \\, x(p_o + p_k + \\Delta p_k) \\, \\Delta m_k,

    with bilinear sampling that reads zeros outside the image, as mmcv's
    ``modulated_deform_conv2d`` (same offset and mask layouts, ``groups=1``).
    Sampling is linear in ``x``, so when the per-tap projections ``w_k x``
    (``G * K * C_out`` maps) are at most half as many as ``x``'s ``C * K``
    sampled maps, they are sampled instead; the products are dense GEMMs.
    Otherwise, without gradients (inference) on CPU float tensors, the
    columns come from the compiled sampler of
    ``projects/sematree/csrc/deform_sampling.cpp`` (one pass, modulation
    included; the output is then channels-last) instead of ``grid_sample``.

    Args:
        x (Tensor): Input ``(N, C, H, W)``.
        offset (Tensor): ``(N, 2 * G * K, Ho, Wo)``.
        mask (Tensor): Modulation ``(N, G * K, Ho, Wo)``.
        weight (Tensor): ``(C_out, C, kh, kw)``.
        bias (Tensor, optional): ``(C_out, )``.
        stride, padding, dilation (tuple[int, int]): As ``nn.Conv2d``.
            Default to (1, 1), (0, 0), (1, 1).
        deform_groups (int): ``G``, dividing ``C``. Defaults to 1.

    Returns:
        Tensor: ``(N, C_out, Ho, Wo)``.
    """
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    k, g = kh * kw, deform_groups
    ho, wo = offset.shape[2:]
    grid = _sampling_grid(offset, (h, w), (kh, kw), stride, padding,
                          dilation)
    mask = mask.reshape(n * g, k, 1, ho, wo)
    # weight as (G, K, C_out, C / G)
    taps = weight.view(c_out, g, c // g, k).permute(1, 3, 0, 2)
    if 2 * g * c_out <= c:
        proj = F.conv2d(x, taps.reshape(g * k * c_out, c // g, 1, 1),
                        groups=g).view(n * g * k, c_out, h, w)
        sampled = F.grid_sample(
            proj.contiguous(memory_format=torch.channels_last),
            grid.view(n * g * k, ho, wo, 2),
            align_corners=False)
        out = (sampled.view(n * g, k, c_out, ho, wo) * mask).view(
            n, g * k, c_out, ho, wo).sum(1)
    elif _takes_compiled_columns(x, offset, mask, weight, bias):
        # (N, pixels, K * C) columns in one pass; the weight in (kh, kw, C)
        # order matches them
        cols = _deform_sampling.deform_columns(
            x, offset, mask.view(n, g * k, ho, wo), kh, kw, list(stride),
            list(padding), list(dilation), g)
        rows = weight.permute(0, 2, 3, 1).reshape(c_out, k * c)
        out = torch.matmul(cols, rows.t()) if bias is None else \
            torch.addmm(bias, cols.view(-1, k * c), rows.t()).view(
                n, ho * wo, c_out)
        return out.view(n, ho, wo, c_out).permute(0, 3, 1, 2)
    else:
        cols = F.grid_sample(
            x.reshape(n * g, c // g, h,
                      w).contiguous(memory_format=torch.channels_last),
            grid.view(n * g, k * ho, wo, 2),
            align_corners=False).view(n * g, c // g, k, ho, wo)
        mask = mask.transpose(1, 2)
        # In place unless autograd needs the unmodulated samples.
        cols = cols * mask if torch.is_grad_enabled() and \
            mask.requires_grad else cols.mul_(mask)
        # rows (C, kh, kw) as mmcv's im2col columns
        weight = weight.reshape(1, c_out, c * k).expand(n, -1, -1)
        cols = cols.view(n, c * k, ho * wo)
        out = torch.bmm(weight, cols) if bias is None else torch.baddbmm(
            bias.view(1, c_out, 1), weight, cols)
        return out.view(n, c_out, ho, wo)
    return out if bias is None else out + bias.view(1, c_out, 1, 1)


class SampledModulatedDeformConv2dPack(ModulatedDeformConv2dPack):
    """mmcv's ``ModulatedDeformConv2dPack`` (``DCNv2``; same parameters and
    state dict) that runs :func:`modulated_deform_conv2d_sampled` on the
    CPU, several times faster there than mmcv's or torchvision's CPU
    im2col kernels, and mmcv's kernel on every other device."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _deform_sampling is None:
            _warn_without_sampler()

    def forward(self, x: Tensor) -> Tensor:  # type: ignore
        """Predict offsets and masks from ``x`` and convolve."""
        if x.device.type != 'cpu' or self.groups != 1:
            return super().forward(x)
        # mmcv's chunk-then-concatenate of (o1, o2) is the first 2/3.
        out = self.conv_offset(x)
        split = out.shape[1] * 2 // 3
        return modulated_deform_conv2d_sampled(
            x, out[:, :split], torch.sigmoid(out[:, split:]), self.weight,
            self.bias, self.stride, self.padding, self.dilation,
            self.deform_groups)
