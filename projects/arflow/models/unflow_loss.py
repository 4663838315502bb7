# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ARFlow's unsupervised photometric + smoothness loss."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor

from .flow_warp import flow_warp
from .occlusion import forward_backward_occlusion, range_map_occlusion
from .photometric import ssim_distance, ternary_distance
from .smoothness import edge_aware_smoothness

_STAGE_KEYS = ('w_l1', 'w_ssim', 'w_ternary', 'occ_from_back')


@MODELS.register_module()
class UnFlowLoss(BaseModule):
    """Occlusion-aware photometric loss plus edge-aware smoothness.

    `Learning by Analogy: Reliable Supervision from Transformations for
    Unsupervised Optical Flow Estimation <https://arxiv.org/abs/2003.13045>`_
    (Eqs. 1-3, official ``losses/flow_loss.py``). At every scale ``i`` with
    ``w_scales[i] > 0``, images are area-downsampled to the flow's size,
    warped with border padding, and

    .. math::
        L_{ph}^i = \\frac{\\sum_t w_t\\,\\overline{\\rho_t(I_1 O,
        \\tilde I_1 O)}}{\\overline{O}}, \\quad
        \\rho \\in \\{L_1, \\mathrm{SSIM}, \\mathrm{census}\\},

    ``O`` the non-occlusion mask of the finest scale (nearest-resized;
    the range map of ``F_21`` when ``occ_from_back`` else the F-B check).
    ``L = sum_i w_scales[i] L_ph^i + w_smooth sum_i w_sm_scales[i]
    L_sm^i(F / s)``, ``s = min(h, w)`` of the finest flow; with ``with_bk``
    each term is the mean of both directions.

    The photometric terms switch at a configured iteration (official
    ``stage1``: L1 0.15 + SSIM 0.85 with range-map occlusion, then census 1.0
    with F-B occlusion). The active stage is the buffer ``stage`` (1 or 2),
    so it travels in checkpoints; :class:`FlowLossStageHook` sets it.

    Args:
        w_l1 (float): L1 weight. Defaults to 0.15.
        w_ssim (float): SSIM weight. Defaults to 0.85.
        w_ternary (float): Census weight. Defaults to 0.0.
        occ_from_back (bool): Range-map occlusion (else F-B). Defaults to
            True.
        stage2 (dict, optional): Values of ``w_l1``, ``w_ssim``,
            ``w_ternary``, ``occ_from_back`` used in stage 2. Defaults to
            None (one stage).
        w_scales (Sequence[float]): Photometric weight per scale, finest
            first. Defaults to (1, 1, 1, 1, 0).
        w_sm_scales (Sequence[float]): Smoothness weight per scale.
            Defaults to (1, 0, 0, 0, 0).
        w_smooth (float): Smoothness weight. Defaults to 50 (Sintel; 75 for
            KITTI).
        smooth_order (int): 1 (Sintel) or 2 (KITTI). Defaults to 1.
        alpha (float): Edge sensitivity. Defaults to 10.
        warp_pad (str): Padding of the photometric warp. Defaults to
            'border'.
        with_bk (bool): Average forward and backward terms. Defaults to
            True.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 w_l1: float = 0.15,
                 w_ssim: float = 0.85,
                 w_ternary: float = 0.0,
                 occ_from_back: bool = True,
                 stage2: Optional[dict] = None,
                 w_scales: Sequence[float] = (1.0, 1.0, 1.0, 1.0, 0.0),
                 w_sm_scales: Sequence[float] = (1.0, 0.0, 0.0, 0.0, 0.0),
                 w_smooth: float = 50.0,
                 smooth_order: int = 1,
                 alpha: float = 10.0,
                 warp_pad: str = 'border',
                 with_bk: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.stage1_cfg = dict(
            w_l1=w_l1,
            w_ssim=w_ssim,
            w_ternary=w_ternary,
            occ_from_back=occ_from_back)
        unknown = set(stage2 or {}) - set(_STAGE_KEYS)
        if unknown:
            raise KeyError(f'UnFlowLoss: stage2 keys {sorted(unknown)} are not '
                           f'stage parameters {_STAGE_KEYS}')
        self.stage2_cfg = {**self.stage1_cfg, **(stage2 or {})}
        if len(w_sm_scales) != len(w_scales):
            raise ValueError('UnFlowLoss: w_scales and w_sm_scales must have '
                             'one weight per scale')
        self.w_scales = list(w_scales)
        self.w_sm_scales = list(w_sm_scales)
        self.w_smooth = w_smooth
        self.smooth_order = smooth_order
        self.alpha = alpha
        self.warp_pad = warp_pad
        self.with_bk = with_bk
        self.register_buffer('stage', torch.tensor(1, dtype=torch.long))

    @property
    def active_cfg(self) -> dict:
        """The photometric settings of the current stage."""
        return self.stage2_cfg if int(self.stage) == 2 else self.stage1_cfg

    def set_stage(self, stage: int) -> None:
        """Switch to stage 1 or 2 (kept in the ``stage`` buffer)."""
        if stage not in (1, 2):
            raise ValueError(f'UnFlowLoss: stage must be 1 or 2, got {stage}')
        self.stage.fill_(stage)

    def photometric(self, image: Tensor, recons: Tensor,
                    noc: Tensor) -> Tensor:
        """``sum_t w_t mean(rho_t) / mean(O)`` for one direction and scale."""
        cfg = self.active_cfg
        terms = []
        if cfg['w_l1'] > 0:
            terms.append(cfg['w_l1'] * ((image - recons).abs() * noc).mean())
        if cfg['w_ssim'] > 0:
            terms.append(cfg['w_ssim'] *
                         ssim_distance(recons * noc, image * noc).mean())
        if cfg['w_ternary'] > 0:
            terms.append(cfg['w_ternary'] *
                         ternary_distance(recons * noc, image * noc).mean())
        if not terms:
            return image.new_zeros(())
        # Official: no guard; a fully occluded batch would divide by zero.
        return sum(terms) / noc.mean().clamp(min=1e-7)

    def occlusion(self, flow_fw: Tensor, flow_bw: Tensor) -> Tensor:
        """Non-occlusion mask of frame 1 (1 = visible) at the finest scale."""
        if self.active_cfg['occ_from_back']:
            return 1 - range_map_occlusion(flow_bw)
        return 1 - forward_backward_occlusion(flow_fw, flow_bw)

    def forward(self, flows_fw: List[Tensor], flows_bw: List[Tensor],
                img1: Tensor, img2: Tensor) -> Tuple[Dict[str, Tensor],
                                                     Tensor]:
        """Compute the loss.

        Args:
            flows_fw (list[Tensor]): Flows 1 -> 2, finest first.
            flows_bw (list[Tensor]): Flows 2 -> 1, finest first.
            img1 (Tensor): (B, 3, H, W) in [0, 1].
            img2 (Tensor): (B, 3, H, W) in [0, 1].

        Returns:
            tuple: ``dict(loss_photo, loss_smooth)`` and the (B, 1, h, w)
            non-occlusion mask of frame 1 at the finest scale (no grad).
        """
        used = max(i + 1 for i, w in enumerate(self.w_scales) if w > 0) \
            if any(self.w_scales) else 0
        if min(len(flows_fw), len(flows_bw)) < used:
            raise ValueError(f'UnFlowLoss: weighted scales need {used} flows, '
                             f'got {len(flows_fw)} / {len(flows_bw)}')
        photo, smooth = img1.new_zeros(()), img1.new_zeros(())
        noc1 = noc2 = None
        scale = 1.0
        for i, (w_ph, w_sm) in enumerate(zip(self.w_scales,
                                             self.w_sm_scales)):
            if w_ph == 0 or i >= used:
                continue
            fw, bw = flows_fw[i], flows_bw[i]
            size = fw.shape[-2:]
            im1 = F.interpolate(img1, size, mode='area')
            im2 = F.interpolate(img2, size, mode='area')
            if noc1 is None:
                noc1 = self.occlusion(fw, bw).detach()
                noc2 = self.occlusion(bw, fw).detach()
                scale = min(size)
                mask1, mask2 = noc1, noc2
            else:
                mask1 = F.interpolate(noc1, size, mode='nearest')
                mask2 = F.interpolate(noc2, size, mode='nearest')
            l_ph = self.photometric(
                im1, flow_warp(im2, fw, self.warp_pad), mask1)
            l_sm = edge_aware_smoothness(fw / scale, im1, self.alpha,
                                         self.smooth_order)
            if self.with_bk:
                l_ph = (l_ph + self.photometric(
                    im2, flow_warp(im1, bw, self.warp_pad), mask2)) / 2
                l_sm = (l_sm + edge_aware_smoothness(
                    bw / scale, im2, self.alpha, self.smooth_order)) / 2
            photo = photo + w_ph * l_ph
            smooth = smooth + w_sm * l_sm
        if noc1 is None:
            raise ValueError('UnFlowLoss: every w_scales entry is 0')
        return dict(
            loss_photo=photo, loss_smooth=self.w_smooth * smooth), noc1
