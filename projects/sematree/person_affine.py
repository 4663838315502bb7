# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The official SemaTree input geometry: the image warped into the crop."""
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


def person_affine_matrix(center: Sequence[float], scale_w: float,
                         rotation: float,
                         out_size: Sequence[int]) -> np.ndarray:
    """The 2x3 forward warp of the official geometry.

    A source point :math:`p` goes to :math:`k R(-r)(p - c) + d` with
    :math:`c` the box centre, :math:`k = W_{out} / s_w` (the box width,
    already grown to the crop's aspect ratio, fills the crop width),
    :math:`R(-r)` the rotation by :math:`-r` degrees in image coordinates
    (x right, y down) and :math:`d = (W_{out} / 2, H_{out} / 2)`.

    Args:
        center (Sequence[float]): :math:`c = (x, y)`.
        scale_w (float): :math:`s_w`, the box width in source pixels.
        rotation (float): :math:`r` in degrees.
        out_size (Sequence[int]): (H, W) of the crop.

    Returns:
        np.ndarray: The matrix for ``cv2.warpAffine``, shape (2, 3).
    """
    out_h, out_w = out_size
    k = out_w / float(scale_w)
    rad = np.deg2rad(rotation)
    cos, sin = np.cos(rad), np.sin(rad)
    linear = k * np.array([[cos, sin], [-sin, cos]])  # k R(-r)
    shift = np.array([out_w * 0.5, out_h * 0.5]) - linear @ np.asarray(
        center, dtype=np.float64)
    return np.concatenate([linear, shift[:, None]], axis=1)


def _warp_labels(labels: np.ndarray, matrix: np.ndarray,
                 size: Tuple[int, int], border: int) -> np.ndarray:
    """Nearest-neighbour warp of an integer map (cv2 has no int32/int64
    warp: those go through float32, exact below 2**24)."""
    if labels.dtype in (np.uint8, np.uint16, np.int16):
        return cv2.warpAffine(labels, matrix, size, flags=cv2.INTER_NEAREST,
                              borderMode=cv2.BORDER_CONSTANT,
                              borderValue=border)
    warped = cv2.warpAffine(labels.astype(np.float32), matrix, size,
                            flags=cv2.INTER_NEAREST,
                            borderMode=cv2.BORDER_CONSTANT,
                            borderValue=border)
    return warped.astype(labels.dtype)


def inverse_warp_labels(labels: np.ndarray, matrix: np.ndarray,
                        ori_shape: Sequence[int],
                        border: int = 0) -> np.ndarray:
    """Map a crop-space label map back to the original image (nearest, the
    border outside the crop ``border``), as the official
    ``transform_parsing``.

    Args:
        labels (np.ndarray): Labels in the crop, shape (H_out, W_out).
        matrix (np.ndarray): The forward warp that made the crop, (2, 3).
        ori_shape (Sequence[int]): (H, W) of the original image.
        border (int): Label outside the crop. Defaults to 0 (background).

    Returns:
        np.ndarray: Labels of shape ``ori_shape``.
    """
    inverse = cv2.invertAffineTransform(np.asarray(matrix, np.float64))
    return _warp_labels(labels, inverse, (int(ori_shape[1]),
                                          int(ori_shape[0])), border)


@TRANSFORMS.register_module()
class PersonCenterAffine(BaseTransform):
    """Warp the whole image into the crop keeping its aspect ratio, as the
    official data code of `Learning Semantic Neural Tree for Human Parsing
    <https://arxiv.org/abs/1912.09622>`_ (``dataset/datasets.py``, after
    CE2P).

    The box is the whole image, :math:`c = ((w - 1) / 2, (h - 1) / 2)`, its
    size :math:`(w - 1, h - 1)` grown on one side to the crop's aspect
    ratio, so the image is letterboxed, centred, and fills the crop along
    its longer side. Training multiplies the box by
    :math:`\\mathrm{clip}(1 + \\sigma_s \\epsilon, 1 - \\sigma_s,
    1 + \\sigma_s)` and, with probability ``rotation_prob``, rotates by
    :math:`\\mathrm{clip}(\\sigma_r \\epsilon', -2\\sigma_r, 2\\sigma_r)`
    degrees (:math:`\\epsilon, \\epsilon'` standard normal). The image is
    warped bilinearly with border ``pad_val``, the label with nearest
    neighbours and border ``seg_pad_val`` (0 = background, supervised as
    such). ``test_mode`` warps without jitter and keeps the matrix in
    ``warp_matrix``, so :class:`SemaTreeSegmentor` maps the prediction back
    to the original image (add ``'warp_matrix'`` to ``PackSegInputs``'
    ``meta_keys`` and load the annotation after this transform).

    Args:
        crop_size (Sequence[int]): (H, W) of the output. Defaults to
            (384, 384).
        scale_factor (float): :math:`\\sigma_s`. Defaults to 0.25.
        rotation_factor (float): :math:`\\sigma_r` in degrees.
            Defaults to 30.
        rotation_prob (float): Probability of rotating. Defaults to 0.6.
        test_mode (bool): No jitter; keep ``warp_matrix``.
            Defaults to False.
        pad_val (float): Image border. Defaults to 0.
        seg_pad_val (int): Label border. Defaults to 0.
    """

    def __init__(self,
                 crop_size: Sequence[int] = (384, 384),
                 scale_factor: float = 0.25,
                 rotation_factor: float = 30.,
                 rotation_prob: float = 0.6,
                 test_mode: bool = False,
                 pad_val: float = 0.,
                 seg_pad_val: int = 0) -> None:
        if len(crop_size) != 2 or min(crop_size) <= 0:
            raise ValueError('PersonCenterAffine: crop_size must be a '
                             f'positive (H, W), got {crop_size}')
        if not 0 <= scale_factor < 1 or rotation_factor < 0 or \
                not 0 <= rotation_prob <= 1:
            raise ValueError(
                'PersonCenterAffine: need 0 <= scale_factor < 1, '
                'rotation_factor >= 0 and 0 <= rotation_prob <= 1, got '
                f'{scale_factor}, {rotation_factor}, {rotation_prob}')
        self.crop_size = tuple(int(s) for s in crop_size)
        self.scale_factor = scale_factor
        self.rotation_factor = rotation_factor
        self.rotation_prob = rotation_prob
        self.test_mode = test_mode
        self.pad_val = pad_val
        self.seg_pad_val = seg_pad_val

    def box(self, height: int, width: int) -> Tuple[np.ndarray, float]:
        """Centre and width of the whole-image box at the crop's aspect."""
        aspect = self.crop_size[1] / self.crop_size[0]
        w, h = float(width - 1), float(height - 1)
        w = max(w, aspect * h)
        return np.array([(width - 1) * 0.5, (height - 1) * 0.5]), w

    def _jitter(self) -> Tuple[float, float]:
        """(scale multiplier, rotation in degrees) of one sample."""
        if self.test_mode:
            return 1.0, 0.0
        sf, rf = self.scale_factor, self.rotation_factor
        scale = float(np.clip(np.random.randn() * sf + 1, 1 - sf, 1 + sf))
        rotation = float(np.clip(np.random.randn() * rf, -2 * rf, 2 * rf)) \
            if np.random.rand() <= self.rotation_prob else 0.0
        return scale, rotation

    def transform(self, results: Dict) -> Optional[Dict]:
        """Warp ``img`` (and ``gt_seg_map`` when loaded)."""
        height, width = results['img'].shape[:2]
        center, scale_w = self.box(height, width)
        scale, rotation = self._jitter()
        matrix = person_affine_matrix(center, scale_w * scale, rotation,
                                      self.crop_size)
        size = (self.crop_size[1], self.crop_size[0])
        results['img'] = cv2.warpAffine(
            results['img'], matrix, size, flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(self.pad_val, ) * 3)
        if results.get('gt_seg_map') is not None:
            results['gt_seg_map'] = _warp_labels(results['gt_seg_map'],
                                                 matrix, size,
                                                 self.seg_pad_val)
        results['img_shape'] = self.crop_size
        results['warp_matrix'] = matrix
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(crop_size={self.crop_size}, '
                f'scale_factor={self.scale_factor}, rotation_factor='
                f'{self.rotation_factor}, rotation_prob='
                f'{self.rotation_prob}, test_mode={self.test_mode})')
