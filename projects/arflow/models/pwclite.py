# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""PWC-Lite, the flow network of ARFlow."""
import math
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor

from .correlation import FlowCorrelation
from .flow_warp import flow_warp

# The feature pyramid widths of the official code (image, then six levels).
PYRAMID_CHANNELS = (3, 16, 32, 64, 96, 128, 192)


def _conv(in_channels: int,
          out_channels: int,
          kernel_size: int = 3,
          stride: int = 1,
          dilation: int = 1,
          act: bool = True) -> nn.Sequential:
    """``Conv2d`` (+ LeakyReLU 0.1) as an ``nn.Sequential``.

    A plain ``Sequential`` (no norm layer, so no ``ConvModule``) keeps the
    official parameter names (``<name>.0.weight``), so the released
    checkpoints load with strict keys and no conversion.
    """
    layers = [
        nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            dilation=dilation,
            padding=(kernel_size - 1) * dilation // 2)
    ]
    if act:
        layers.append(nn.LeakyReLU(0.1, inplace=True))
    return nn.Sequential(*layers)


class _FeaturePyramid(nn.Module):
    """Six ``[3x3 stride 2, 3x3]`` stages; returns coarse-to-fine features."""

    def __init__(self, channels: Sequence[int]) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Sequential(_conv(c_in, c_out, stride=2), _conv(c_out, c_out))
            for c_in, c_out in zip(channels[:-1], channels[1:]))

    def forward(self, image: Tensor) -> List[Tensor]:
        feats = []
        for stage in self.convs:
            image = stage(image)
            feats.append(image)
        return feats[::-1]


class _FlowEstimatorReduce(nn.Module):
    """The reduced (partially dense) estimator: 128-128-96-64-32, each conv
    seeing the two previous outputs, then a 3x3 to the residual flow."""

    feat_channels = 32

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.conv1 = _conv(in_channels, 128)
        self.conv2 = _conv(128, 128)
        self.conv3 = _conv(128 + 128, 96)
        self.conv4 = _conv(128 + 96, 64)
        self.conv5 = _conv(96 + 64, 32)
        self.predict_flow = _conv(64 + 32, 2, act=False)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        x1 = self.conv1(x)
        x2 = self.conv2(x1)
        x3 = self.conv3(torch.cat([x1, x2], dim=1))
        x4 = self.conv4(torch.cat([x2, x3], dim=1))
        x5 = self.conv5(torch.cat([x3, x4], dim=1))
        return x5, self.predict_flow(torch.cat([x4, x5], dim=1))


class _FlowEstimatorDense(nn.Module):
    """The fully dense PWC-Net estimator (``reduce_dense=False``)."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        widths = (128, 128, 96, 64, 32)
        offsets = [0, 128, 256, 352, 416]
        for i, (width, offset) in enumerate(zip(widths, offsets)):
            setattr(self, f'conv{i + 1}', _conv(in_channels + offset, width))
        self.feat_channels = in_channels + 448
        self.conv_last = _conv(in_channels + 448, 2, act=False)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        for i in range(1, 6):
            x = torch.cat([getattr(self, f'conv{i}')(x), x], dim=1)
        return x, self.conv_last(x)


class _ContextNetwork(nn.Module):
    """Dilated 3x3 convs (dilations 1, 2, 4, 8, 16, 1) to a residual flow."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        spec = ((128, 1), (128, 2), (128, 4), (96, 8), (64, 16), (32, 1))
        layers, c_in = [], in_channels
        for width, dilation in spec:
            layers.append(_conv(c_in, width, dilation=dilation))
            c_in = width
        layers.append(_conv(c_in, 2, act=False))
        self.convs = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.convs(x)


@MODELS.register_module()
class PWCLite(BaseModule):
    """PWC-Lite: a PWC-Net with one decoder shared over pyramid levels.

    `Learning by Analogy: Reliable Supervision from Transformations for
    Unsupervised Optical Flow Estimation <https://arxiv.org/abs/2003.13045>`_
    (Sec. 4.1). From the coarsest level (1/64) to ``output_level`` (1/4),
    each level warps the second frame's features by the upsampled flow
    (``F_l = 2 up(F_{l+1})``), correlates (81 channels), and refines

    .. math::
        F_l \\leftarrow F_l + D([\\mathrm{lrelu}(C_l), W_{1\\times1}^l(f_1^l),
        F_l]), \\quad F_l \\leftarrow F_l + \\mathrm{Ctx}([h_l, F_l]),

    with one estimator ``D`` and one context network shared by all levels;
    only the 1x1 convs ``W^l`` (to 32 channels) are per level. The 3-frame
    ("MV") variant estimates flows of the centre frame to both neighbours
    with the same decoder applied twice, its inputs mirrored. Parameters:
    2,236,660 (2 frames), 2,371,444 (3 frames). Module names follow the
    official ``models/pwclite.py`` so its checkpoints load with strict keys.

    Inputs of any size are padded (replicate) to a multiple of 64 and every
    output level is cropped back to ``ceil(size / stride)``.

    Args:
        n_frames (int): 2, or 3 for the multi-frame variant. Defaults to 2.
        reduce_dense (bool): Use the reduced estimator. Defaults to True.
        upsample (bool): Upsample every output level x4 (bilinear, flow
            scaled by 4), as the official configs. Defaults to True.
        search_range (int): Correlation range. Defaults to 4.
        output_level (int): Index of the last decoded level (4 = 1/4
            resolution). Defaults to 4.
        use_mmcv_correlation (bool): mmcv's CUDA correlation for CUDA
            tensors. Defaults to False.
        normalize_corr_features (bool): Centre and scale the features
            before the correlation (UFlow's choice, not ARFlow's; see
            :class:`FlowCorrelation`). Defaults to False.
        init_cfg (dict, optional): Initialization config. The official
            ``init_weights`` never matches a conv (it iterates ``(name,
            module)`` tuples), so PyTorch's default init is the official
            one. Defaults to None.
    """

    def __init__(self,
                 n_frames: int = 2,
                 reduce_dense: bool = True,
                 upsample: bool = True,
                 search_range: int = 4,
                 output_level: int = 4,
                 use_mmcv_correlation: bool = False,
                 normalize_corr_features: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if n_frames not in (2, 3):
            raise ValueError(f'PWCLite: n_frames must be 2 or 3, got {n_frames}')
        if not 0 <= output_level < len(PYRAMID_CHANNELS) - 1:
            raise ValueError('PWCLite: output_level must be in [0, 5], got '
                             f'{output_level}')
        self.n_frames = n_frames
        self.upsample = upsample
        self.output_level = output_level
        self.feature_pyramid_extractor = _FeaturePyramid(PYRAMID_CHANNELS)
        self.corr = FlowCorrelation(search_range, use_mmcv_correlation,
                                    normalize_corr_features)
        self.leaky_relu = nn.LeakyReLU(0.1, inplace=True)
        in_channels = 32 + (self.corr.out_channels + 2) * (n_frames - 1)
        estimator = _FlowEstimatorReduce if reduce_dense else \
            _FlowEstimatorDense
        self.flow_estimators = estimator(in_channels)
        self.context_networks = _ContextNetwork(
            (self.flow_estimators.feat_channels + 2) * (n_frames - 1))
        self.conv_1x1 = nn.ModuleList(
            _conv(c, 32, kernel_size=1) for c in (192, 128, 96, 64, 32))

    @property
    def stride(self) -> int:
        """Input sizes are padded to a multiple of this (64)."""
        return 2**(len(PYRAMID_CHANNELS) - 1)

    def forward(self, imgs: Tensor, with_bk: bool = False) -> Dict:
        """Estimate multi-scale flows.

        Args:
            imgs (Tensor): Frames stacked on channels (B, 3 n_frames, H, W),
                values in [0, 1].
            with_bk (bool): Also estimate frame 2 -> frame 1 (2 frames only;
                the 3-frame variant always gives both). Defaults to False.

        Returns:
            dict: ``flows_fw`` (and ``flows_bw``): lists of (B, 2, h, w), the
            finest first. 2 frames: 1->2 (and 2->1). 3 frames: ``flows_fw``
            is centre->next (1->2), ``flows_bw`` centre->previous (1->0).
        """
        if imgs.dim() != 4 or imgs.shape[1] != 3 * self.n_frames:
            raise ValueError(f'PWCLite: expected (B, {3 * self.n_frames}, H, '
                             f'W) input, got {tuple(imgs.shape)}')
        height, width = imgs.shape[-2:]
        padded = self._pad(imgs)
        pyramids = [
            self.feature_pyramid_extractor(frame) + [frame]
            for frame in padded.split(3, dim=1)
        ]
        if self.n_frames == 2:
            out = dict(flows_fw=self._decode_pair(pyramids[0], pyramids[1]))
            if with_bk:
                out['flows_bw'] = self._decode_pair(pyramids[1], pyramids[0])
        else:
            flows_10, flows_12 = self._decode_triplet(*pyramids)
            out = dict(flows_fw=flows_12, flows_bw=flows_10)
        return {
            key: self._crop(flows, height, width)
            for key, flows in out.items()
        }

    def _pad(self, imgs: Tensor) -> Tensor:
        height, width = imgs.shape[-2:]
        pad_h = -height % self.stride
        pad_w = -width % self.stride
        if pad_h == 0 and pad_w == 0:
            return imgs
        return F.pad(imgs, [0, pad_w, 0, pad_h], mode='replicate')

    def _crop(self, flows: List[Tensor], height: int,
              width: int) -> List[Tensor]:
        cropped = []
        for i, flow in enumerate(flows):
            scale = 2**(len(PYRAMID_CHANNELS) - 1 - self.output_level + i)
            if self.upsample:
                scale /= 4
            cropped.append(flow[..., :math.ceil(height / scale),
                                :math.ceil(width / scale)])
        return cropped

    def _upsample(self, flows: List[Tensor]) -> List[Tensor]:
        flows = flows[::-1]
        if self.upsample:
            flows = [
                F.interpolate(
                    flow * 4,
                    scale_factor=4,
                    mode='bilinear',
                    align_corners=True) for flow in flows
            ]
        return flows

    @staticmethod
    def _upscale(flow: Tensor) -> Tensor:
        return F.interpolate(
            flow * 2, scale_factor=2, mode='bilinear', align_corners=True)

    def _decode_pair(self, pyr1: List[Tensor],
                     pyr2: List[Tensor]) -> List[Tensor]:
        batch, _, height, width = pyr1[0].shape
        flow = pyr1[0].new_zeros(batch, 2, height, width)
        flows = []
        for level, (x1, x2) in enumerate(zip(pyr1, pyr2)):
            if level > 0:
                flow = self._upscale(flow)
                x2 = flow_warp(x2, flow)
            corr = self.leaky_relu(self.corr(x1, x2))
            feat, residual = self.flow_estimators(
                torch.cat([corr, self.conv_1x1[level](x1), flow], dim=1))
            flow = flow + residual
            flow = flow + self.context_networks(torch.cat([feat, flow], 1))
            flows.append(flow)
            if level == self.output_level:
                break
        return self._upsample(flows)

    def _decode_triplet(
            self, pyr0: List[Tensor], pyr1: List[Tensor],
            pyr2: List[Tensor]) -> Tuple[List[Tensor], List[Tensor]]:
        batch, _, height, width = pyr1[0].shape
        flow = pyr1[0].new_zeros(batch, 4, height, width)
        flows = []
        for level, (x0, x1, x2) in enumerate(zip(pyr0, pyr1, pyr2)):
            if level > 0:
                flow = self._upscale(flow)
                x0 = flow_warp(x0, flow[:, :2])
                x2 = flow_warp(x2, flow[:, 2:])
            corr_10 = self.leaky_relu(self.corr(x1, x0))
            corr_12 = self.leaky_relu(self.corr(x1, x2))
            feat1 = self.conv_1x1[level](x1)
            f10, f12 = flow[:, :2], flow[:, 2:]
            h10, r10 = self.flow_estimators(
                torch.cat([feat1, corr_10, corr_12, f10, -f12], dim=1))
            h12, r12 = self.flow_estimators(
                torch.cat([feat1, corr_12, corr_10, f12, -f10], dim=1))
            flow = flow + torch.cat([r10, r12], dim=1)
            f10, f12 = flow[:, :2], flow[:, 2:]
            c10 = self.context_networks(torch.cat([h10, h12, f10, -f12], 1))
            c12 = self.context_networks(torch.cat([h12, h10, f12, -f10], 1))
            flow = flow + torch.cat([c10, c12], dim=1)
            flows.append(flow)
            if level == self.output_level:
                break
        flows = self._upsample(flows)
        return [f[:, :2] for f in flows], [f[:, 2:] for f in flows]
