# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Random affine transforms applied jointly to frames, flow and mask."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor

from .flow_warp import pixel_grid


def _to_norm(coords: Tensor, height: int, width: int) -> Tensor:
    """Pixel ``(x, y)`` (B, 2, ...) to [-1, 1] (align_corners=True)."""
    scale = coords.new_tensor([2.0 / (width - 1), 2.0 / (height - 1)])
    return coords * scale.view(1, 2, *([1] * (coords.dim() - 2))) - 1


def _to_pixel(coords: Tensor, height: int, width: int) -> Tensor:
    scale = coords.new_tensor([(width - 1) / 2.0, (height - 1) / 2.0])
    return (coords + 1) * scale.view(1, 2, *([1] * (coords.dim() - 2)))


def _apply(theta: Tensor, coords: Tensor) -> Tensor:
    """``A p + t`` for theta (B, 2, 3) and coords (B, 2, ...)."""
    flat = coords.reshape(coords.shape[0], 2, -1)
    out = torch.bmm(theta[:, :, :2], flat) + theta[:, :, 2:]
    return out.view_as(coords)


def _invert(theta: Tensor) -> Tensor:
    inv = torch.linalg.inv(theta[:, :, :2])
    return torch.cat([inv, -torch.bmm(inv, theta[:, :, 2:])], dim=2)


@MODELS.register_module()
class RandomAffineFlow(BaseModule):
    """Random global + relative affine transform of a frame pair, its flow
    and its non-occlusion mask (the AR spatial transform).

    `Learning by Analogy: Reliable Supervision from Transformations for
    Unsupervised Optical Flow Estimation <https://arxiv.org/abs/2003.13045>`_
    (Sec. 3.2, official ``RandomAffineFlow`` after IRR). In normalized
    coordinates ``T_k(p) = A_k p + t_k`` maps frame ``k``'s original pixels
    to the transformed frame; ``T_1 = R`` (global), ``T_2 = R' T_1``
    (relative). Each draw ``R = Rot(phi) diag(z s, z / s) + t`` is resampled
    until the transformed frame sees only original pixels. Then

    .. math::
        \\tilde I_k(q) = I_k(T_k^{-1} q), \\quad
        \\tilde F(q) = T_2(p + F(p)) - T_1(p), \\ p = T_1^{-1} q,

    and the mask as frame 1. Random horizontal (and vertical) mirrors are
    applied to both transforms; Gaussian noise with ``sigma ~ U(0, 0.04)``
    is added to the frames (clamped to [0, 1]).

    Ranges follow the official ``st_cfg`` layout. As in the official code,
    the relative rotation is drawn from ``[rotate[2], rotate[2]]`` (a
    constant, the official quirk), kept for parity.

    Args:
        rotate (Sequence[float]): ``[min, max]`` global rotation (rad), then
            relative ``[min, max]``. Defaults to (-0.2, 0.2, -0.015, 0.015).
        squeeze (Sequence[float]): Global then relative squeeze range.
            Defaults to (0.86, 1.16, 1.0, 1.0).
        trans (Sequence[float]): Global and relative max translation (in
            normalized units; half is used, as the official code). Defaults
            to (0.2, 0.015).
        zoom (Sequence[float]): Global then relative zoom range. Defaults to
            (1.0, 1.5, 0.985, 1.015).
        hflip (bool): Random horizontal mirror. Defaults to True.
        vflip (bool): Random vertical mirror (only with ``hflip``).
            Defaults to True.
        add_noise (bool): Add Gaussian noise. Defaults to True.
        max_tries (int): Resampling attempts before giving up. Defaults to
            1000.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 rotate: Sequence[float] = (-0.2, 0.2, -0.015, 0.015),
                 squeeze: Sequence[float] = (0.86, 1.16, 1.0, 1.0),
                 trans: Sequence[float] = (0.2, 0.015),
                 zoom: Sequence[float] = (1.0, 1.5, 0.985, 1.015),
                 hflip: bool = True,
                 vflip: bool = True,
                 add_noise: bool = True,
                 max_tries: int = 1000,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, value, size in (('rotate', rotate, 4), ('squeeze', squeeze,
                                                          4),
                                  ('trans', trans, 2), ('zoom', zoom, 4)):
            if len(value) != size:
                raise ValueError(f'RandomAffineFlow: {name} needs {size} '
                                 f'values, got {list(value)}')
        self.rotate = list(rotate)
        self.squeeze = list(squeeze)
        self.trans = list(trans)
        self.zoom = list(zoom)
        self.hflip = hflip
        self.vflip = vflip
        self.add_noise = add_noise
        self.max_tries = max_tries

    def _draw(self, base: Tensor, height: int, width: int, translate: float,
              zoom: Tuple[float, float], squeeze: Tuple[float, float],
              rotate: Tuple[float, float]) -> Tensor:
        """Compose a random transform on ``base`` (B, 2, 3) until valid."""
        theta = base.clone()
        invalid = torch.ones(base.shape[0], dtype=torch.bool,
                             device=base.device)
        corners = base.new_tensor([[-1., -1., 1., 1.], [-1., 1., -1., 1.]])
        for _ in range(self.max_tries):
            if not invalid.any():
                return theta
            n = int(invalid.sum())
            z = base.new_empty(n).uniform_(*zoom)
            s = base.new_empty(n).uniform_(*squeeze)
            tx = base.new_empty(n).uniform_(-translate / 2, translate / 2)
            ty = base.new_empty(n).uniform_(-translate / 2, translate / 2)
            phi = base.new_empty(n).uniform_(*rotate)
            cos, sin = torch.cos(phi), torch.sin(phi)
            step = torch.stack([
                torch.stack([cos * z * s, sin * z / s, tx], dim=1),
                torch.stack([-sin * z * s, cos * z / s, ty], dim=1)
            ], dim=1)
            composed = torch.cat([
                torch.bmm(step[:, :, :2], base[invalid][:, :, :2]),
                torch.bmm(step[:, :, :2], base[invalid][:, :, 2:]) +
                step[:, :, 2:]
            ], dim=2)
            theta[invalid] = composed
            src = _to_pixel(
                _apply(_invert(theta), corners.expand(len(theta), -1, -1)),
                height, width)
            invalid = ((src[:, 0] < 0) | (src[:, 1] < 0) |
                       (src[:, 0] >= width) | (src[:, 1] >= height)).any(1)
        raise RuntimeError('RandomAffineFlow: no valid transform in '
                           f'{self.max_tries} draws; narrow the ranges')

    def _mirror(self, thetas: List[Tensor]) -> List[Tensor]:
        if not self.hflip:
            return thetas
        batch = thetas[0].shape[0]
        sign = thetas[0].new_ones(batch, 2, 1)
        sign[:, 0] = torch.where(
            torch.rand(batch, device=sign.device) < 0.5, -1.0,
            1.0).view(-1, 1)
        if self.vflip:
            sign[:, 1] = torch.where(
                torch.rand(batch, device=sign.device) < 0.5, -1.0,
                                     1.0).view(-1, 1)
        return [theta * sign for theta in thetas]

    @staticmethod
    def _sample(data: Tensor, theta: Tensor) -> Tensor:
        """``out(q) = data(T^{-1} q)``; bilinear, zero outside the frame."""
        height, width = data.shape[-2:]
        grid = _to_norm(pixel_grid(data[:, :1]), height, width)
        src = _apply(_invert(theta), grid)
        pix = _to_pixel(src, height, width)
        inside = ((pix[:, 0] >= 0) & (pix[:, 0] < width) & (pix[:, 1] >= 0) &
                  (pix[:, 1] < height)).unsqueeze(1)
        out = F.grid_sample(
            data,
            src.permute(0, 2, 3, 1),
            mode='bilinear',
            padding_mode='border',
            align_corners=True)
        return out * inside

    def draw_transforms(self, batch: int, height: int, width: int,
                        ref: Tensor) -> List[Tensor]:
        """Random ``[T_1, T_2]`` (each (B, 2, 3)) for a batch."""
        eye = ref.new_tensor([[1., 0., 0.], [0., 1., 0.]]).expand(
            batch, -1, -1)
        theta1 = self._draw(eye, height, width, self.trans[0],
                            self.zoom[:2], self.squeeze[:2], self.rotate[:2])
        theta2 = self._draw(theta1, height, width, self.trans[1],
                            self.zoom[2:], self.squeeze[2:],
                            (self.rotate[2], self.rotate[2]))
        return self._mirror([theta1, theta2])

    def transform(self, imgs: Sequence[Tensor], flow: Tensor, mask: Tensor,
                  thetas: Sequence[Tensor]) -> Tuple[List[Tensor], Tensor,
                                                     Tensor]:
        """Apply given transforms ``[T_1, T_2]`` (no randomness)."""
        height, width = flow.shape[-2:]
        grid = pixel_grid(flow)
        start = _apply(thetas[0], _to_norm(grid, height, width))
        end = _apply(thetas[1], _to_norm(grid + flow, height, width))
        moved = _to_pixel(end, height, width) - _to_pixel(
            start, height, width)
        return ([self._sample(im, th) for im, th in zip(imgs, thetas)],
                self._sample(moved, thetas[0]), self._sample(mask, thetas[0]))

    def forward(self, imgs: Sequence[Tensor], flow: Tensor,
                mask: Tensor) -> Tuple[List[Tensor], Tensor, Tensor]:
        """Transform a pair of frames (B, 3, H, W each, [0, 1]), the flow
        1 -> 2 (B, 2, H, W) and the mask (B, 1, H, W) jointly.

        Returns:
            tuple: transformed frames, flow, mask.
        """
        if len(imgs) != 2:
            raise ValueError('RandomAffineFlow: expects 2 frames, got '
                             f'{len(imgs)}')
        batch, _, height, width = imgs[0].shape
        thetas = self.draw_transforms(batch, height, width, imgs[0])
        imgs, flow, mask = self.transform(imgs, flow, mask, thetas)
        if self.add_noise:
            std = float(np.random.uniform(0.0, 0.04))
            imgs = [(im + torch.randn_like(im) * std).clamp(0.0, 1.0)
                    for im in imgs]
        return imgs, flow, mask
