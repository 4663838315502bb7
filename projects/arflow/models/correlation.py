# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Local correlation (cost volume) of PWC-Lite, in pure PyTorch."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor


def _normalize_pair(feat1: Tensor, feat2: Tensor,
                    eps: float = 1e-8) -> Tuple[Tensor, Tensor]:
    """Centre and scale two (B, C, H, W) maps by their joint per-sample
    mean and standard deviation."""
    both = torch.stack([feat1, feat2])
    mean = both.mean(dim=(0, 2, 3, 4), keepdim=True)
    std = (both - mean).pow(2).mean(dim=(0, 2, 3, 4), keepdim=True)
    both = (both - mean) / (std + eps).sqrt()
    return both[0], both[1]


@MODELS.register_module()
class FlowCorrelation(BaseModule):
    """Channel-averaged local correlation with a square search window.

    `Learning by Analogy: Reliable Supervision from Transformations for
    Unsupervised Optical Flow Estimation <https://arxiv.org/abs/2003.13045>`_
    (PWC-Lite, Sec. 4.1) correlates the first frame's features with the warped
    second frame's features over a ``(2d + 1)^2`` neighbourhood:

    .. math::
        C(x, (\\delta_y, \\delta_x)) = \\frac{1}{C} \\sum_c f_1(x)_c \\,
        f_2(x + (\\delta_y, \\delta_x))_c, \\quad |\\delta| \\le d,

    with zeros outside the second feature map. Channels are ordered
    ``dy``-major (``k = (dy + d)(2d + 1) + (dx + d)``), as the official
    CUDA and native kernels. The pure-torch path takes one shifted view of
    the padded second map per displacement (no copies); on the CPU this was
    faster than batching the column shifts through a strided view and
    ``einsum`` (``benchmarks/arflow_pwclite.py``).

    With ``normalize_features`` both maps are first centred and scaled by
    one mean and one standard deviation per sample, taken over channels,
    positions and both frames (``f <- (f - mu) / sigma``), as UFlow does
    before its cost volume (`What Matters in Unsupervised Optical Flow
    <https://arxiv.org/abs/2006.04902>`_, Sec. 3). ARFlow does not; it is an
    option here because it makes the cost volume peak at the true
    displacement from the first step (random features have a large
    common mean that otherwise dominates the dot product), which a short
    run from scratch needs.

    Args:
        max_displacement (int): The search range ``d``. Defaults to 4
            (81 channels).
        use_mmcv (bool): Use ``mmcv.ops.Correlation`` (CUDA kernel) for CUDA
            tensors; CPU tensors always take the pure-torch path. Defaults
            to False.
        normalize_features (bool): Centre and scale the features first
            (UFlow). Defaults to False (official ARFlow).
        init_cfg (dict, optional): Initialization config. Defaults to None.
    """

    def __init__(self,
                 max_displacement: int = 4,
                 use_mmcv: bool = False,
                 normalize_features: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if max_displacement < 0:
            raise ValueError('FlowCorrelation: max_displacement must be >= 0, '
                             f'got {max_displacement}')
        self.max_displacement = max_displacement
        self.use_mmcv = use_mmcv
        self.normalize_features = normalize_features
        self._mmcv_op: Optional[torch.nn.Module] = None

    @property
    def out_channels(self) -> int:
        """The number of displacements, ``(2d + 1)^2``."""
        return (2 * self.max_displacement + 1)**2

    def forward(self, feat1: Tensor, feat2: Tensor) -> Tensor:
        """Correlate ``feat1`` (B, C, H, W) with ``feat2`` (B, C, H, W).

        Returns:
            Tensor: The cost volume (B, (2d + 1)^2, H, W).
        """
        if feat1.shape != feat2.shape or feat1.dim() != 4:
            raise ValueError('FlowCorrelation: both features must be '
                             f'(B, C, H, W) of one shape, got '
                             f'{tuple(feat1.shape)} and {tuple(feat2.shape)}')
        if self.normalize_features:
            feat1, feat2 = _normalize_pair(feat1, feat2)
        if self.use_mmcv and feat1.is_cuda:
            return self._forward_mmcv(feat1, feat2)
        return self._forward_torch(feat1, feat2)

    def _forward_torch(self, feat1: Tensor, feat2: Tensor) -> Tensor:
        d = self.max_displacement
        height, width = feat1.shape[-2:]
        padded = F.pad(feat2, [d, d, d, d])
        costs = [
            (feat1 * padded[:, :, dy:dy + height, dx:dx + width]).mean(
                1, keepdim=True) for dy in range(2 * d + 1)
            for dx in range(2 * d + 1)
        ]
        return torch.cat(costs, dim=1)

    def _forward_mmcv(self, feat1: Tensor, feat2: Tensor) -> Tensor:
        if self._mmcv_op is None:
            from mmcv.ops import Correlation
            self._mmcv_op = Correlation(
                kernel_size=1,
                max_displacement=self.max_displacement,
                stride=1,
                padding=0,
                dilation=1,
                dilation_patch=1)
        cost = self._mmcv_op(feat1, feat2)
        batch, _, _, height, width = cost.shape
        return cost.reshape(batch, self.out_channels, height,
                            width) / feat1.shape[1]
