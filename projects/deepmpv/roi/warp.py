# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Cut an oriented ROI frame out of an image."""
from typing import Union

import cv2
import numpy as np

from .geometry import RoiFrame

INTERPOLATIONS = {
    'nearest': cv2.INTER_NEAREST,
    'bilinear': cv2.INTER_LINEAR,
    'bicubic': cv2.INTER_CUBIC,
    'area': cv2.INTER_AREA,
}
RESAMPLES = ('crop_resize', 'warp')


def _affine(frame: RoiFrame, out_w: int, out_h: int) -> np.ndarray:
    """The 2x3 map from output pixel (col, row) to image (x, y): output
    pixel ``j`` samples ``corner + ((j + 0.5) s - 0.5) u`` along each axis.
    The corner is read as a pixel index, as the reference codes slice
    ``img[y0 + L/2 : y0 + 3L]`` (pixel ``k`` of an unscaled crop is image
    pixel ``corner + k``), and ``(j + 0.5) s - 0.5`` is ``cv2.resize``'s
    pixel-centre rule."""
    sx, sy = frame.width / out_w, frame.height / out_h
    u, p = frame.u, frame.p
    origin = frame.corner + (0.5 * sx - 0.5) * u + (0.5 * sy - 0.5) * p
    return np.array([[sx * u[0], sy * p[0], origin[0]],
                     [sx * u[1], sy * p[1], origin[1]]])


def _sample(img: np.ndarray, frame: RoiFrame, out_w: int, out_h: int,
            flag: int, border_value: Union[int, float]) -> np.ndarray:
    """``cv2.warpAffine`` of the frame into an ``out_h x out_w`` image."""
    border = (border_value, ) * (img.shape[2] if img.ndim == 3 else 1)
    return cv2.warpAffine(
        img,
        _affine(frame, out_w, out_h), (out_w, out_h),
        flags=flag | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border)


def cut_frame(img: np.ndarray,
              frame: RoiFrame,
              out_size: int = 224,
              interpolation: str = 'bicubic',
              resample: str = 'crop_resize',
              border_value: Union[int, float] = 0) -> np.ndarray:
    """The ROI of ``frame`` resized to ``out_size x out_size``.

    ``resample='crop_resize'`` follows both reference codes: the image is
    first rotated (bilinear) so the frame is axis-aligned, the frame is
    cropped at the photo's resolution, then resized with ``interpolation``
    (the script's bicubic ``cv2.resize``; MATLAB ``imresize``'s default
    is bicubic too). Padding the photo to a square before rotating, as both
    do, only changes the fill of pixels outside the photo, which is
    ``border_value`` here (the script pads white, 255). ``'warp'`` samples
    the output in one ``warpAffine`` with ``interpolation`` (ours: one
    interpolation instead of two).

    Args:
        img (np.ndarray): Image, (H, W) or (H, W, C).
        frame (RoiFrame): The ROI.
        out_size (int): Output side. Defaults to 224.
        interpolation (str): ``'nearest'``, ``'bilinear'``, ``'bicubic'`` or
            ``'area'``. Defaults to ``'bicubic'``.
        resample (str): ``'crop_resize'`` or ``'warp'``. Defaults to
            ``'crop_resize'``.
        border_value (int | float): Fill outside the image. Defaults to 0.

    Returns:
        np.ndarray: The ROI, (out_size, out_size[, C]), dtype of ``img``.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f'palm ROI: interpolation must be one of '
                         f'{sorted(INTERPOLATIONS)}, got {interpolation!r}')
    if resample not in RESAMPLES:
        raise ValueError(f'palm ROI: resample must be one of {RESAMPLES}, '
                         f'got {resample!r}')
    if out_size < 1:
        raise ValueError(f'palm ROI: out_size must be >= 1, got {out_size}')
    flag = INTERPOLATIONS[interpolation]
    if resample == 'warp':
        return _sample(img, frame, out_size, out_size, flag, border_value)
    crop_w = max(int(round(frame.width)), 1)
    crop_h = max(int(round(frame.height)), 1)
    native = RoiFrame(frame.corner, frame.u, frame.p, float(crop_w),
                      float(crop_h))
    crop = _sample(img, native, crop_w, crop_h, cv2.INTER_LINEAR,
                   border_value)
    return cv2.resize(crop, (out_size, out_size), interpolation=flag)
