# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Geometric transforms applied jointly to frames and flow annotations."""
import random
from typing import List, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

_FRAME_KEYS = ('imgs', 'imgs_ph')
_MAP_KEYS = ('gt_flow_fw', 'gt_valid_fw', 'gt_noc_fw')


def _apply(results: dict, fn) -> None:
    for key in _FRAME_KEYS:
        if key in results:
            results[key] = [fn(image) for image in results[key]]
    for key in _MAP_KEYS:
        if key in results:
            results[key] = fn(results[key])


@TRANSFORMS.register_module()
class FlowRandomCrop(BaseTransform):
    """Crop frames and flow maps at one random position (official
    ``RandomCrop``; Sintel 384x832).

    Args:
        crop_size (Sequence[int]): ``(h, w)``.
    """

    def __init__(self, crop_size: Sequence[int]) -> None:
        self.crop_size = tuple(crop_size)

    def transform(self, results: dict) -> dict:
        height, width = results['imgs'][0].shape[:2]
        crop_h, crop_w = self.crop_size
        if crop_h > height or crop_w > width:
            raise ValueError(f'FlowRandomCrop: crop {self.crop_size} larger '
                             f'than {results["img_paths"][0]} '
                             f'({height}, {width})')
        top = random.randint(0, height - crop_h)
        left = random.randint(0, width - crop_w)
        _apply(results,
               lambda a: a[top:top + crop_h, left:left + crop_w].copy())
        results['img_shape'] = (crop_h, crop_w)
        return results


@TRANSFORMS.register_module()
class FlowRandomHFlip(BaseTransform):
    """Mirror frames and maps left-right with probability ``prob``; the
    flow's ``u`` changes sign.

    Args:
        prob (float): Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = prob

    def transform(self, results: dict) -> dict:
        if random.random() < self.prob:
            _apply(results, lambda a: np.ascontiguousarray(a[:, ::-1]))
            if 'gt_flow_fw' in results:
                results['gt_flow_fw'][..., 0] *= -1
        return results


@TRANSFORMS.register_module()
class RandomFrameSwap(BaseTransform):
    """Reverse the frame order with probability ``prob`` (unsupervised
    training only: a forward flow cannot be swapped).

    Args:
        prob (float): Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = prob

    def transform(self, results: dict) -> dict:
        if random.random() < self.prob:
            if 'gt_flow_fw' in results:
                raise ValueError('RandomFrameSwap: cannot swap frames of a '
                                 f'sample with flow ({results["img_paths"][0]})')
            for key in _FRAME_KEYS:
                if key in results:
                    results[key] = results[key][::-1]
        return results


@TRANSFORMS.register_module()
class FlowResize(BaseTransform):
    """Resize the frames to ``scale`` ``(h, w)`` (official ``Zoom``).

    Flow maps are resized too (values rescaled) only with ``resize_gt``;
    by default they stay at the original size and the model's prediction is
    resized back to ``ori_shape`` for evaluation, as ARFlow. Bilinear when
    enlarging, area averaging when shrinking (the official resize
    anti-aliases when shrinking).

    Args:
        scale (Sequence[int]): ``(h, w)``.
        resize_gt (bool): Resize the flow maps too. Defaults to False.
    """

    def __init__(self, scale: Sequence[int], resize_gt: bool = False) -> None:
        self.scale = tuple(scale)
        self.resize_gt = resize_gt

    def _resize(self, image: np.ndarray) -> np.ndarray:
        height, width = image.shape[:2]
        shrink = self.scale[0] < height or self.scale[1] < width
        interp = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
        return cv2.resize(image, self.scale[::-1], interpolation=interp)

    def transform(self, results: dict) -> dict:
        height, width = results['imgs'][0].shape[:2]
        for key in _FRAME_KEYS:
            if key in results:
                results[key] = [self._resize(im) for im in results[key]]
        if self.resize_gt and 'gt_flow_fw' in results:
            flow = cv2.resize(results['gt_flow_fw'], self.scale[::-1],
                              interpolation=cv2.INTER_NEAREST)
            flow[..., 0] *= self.scale[1] / width
            flow[..., 1] *= self.scale[0] / height
            results['gt_flow_fw'] = flow
            for key in _MAP_KEYS[1:]:
                if key in results:
                    results[key] = cv2.resize(
                        results[key], self.scale[::-1],
                        interpolation=cv2.INTER_NEAREST)
            results['ori_shape'] = self.scale
        results['img_shape'] = self.scale
        return results
