# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Appearance jitter that makes the ``imgs_ph`` copies for the AR pass."""
from typing import List

import numpy as np
import torchvision.transforms as tv
import torchvision.transforms.functional as TF
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS
from PIL import Image, ImageFilter


@TRANSFORMS.register_module()
class AppearanceJitter(BaseTransform):
    """Copy the frames to ``imgs_ph`` and jitter the copies' appearance with
    one random draw shared by all frames (official ``get_ap_transforms``,
    ``at_cfg``): colour jitter, Gaussian blur (p 0.5, radius ``U(0, 3)``),
    then gamma ``U(0.7, 1.5)``.

    `Learning by Analogy <https://arxiv.org/abs/2003.13045>`_ (Sec. 3.2):
    the AR pass sees these copies, the unsupervised pass the originals.
    Frames are rounded to 8 bits before jitter, as the official PIL path.

    Args:
        brightness (float): Defaults to 0.5.
        contrast (float): Defaults to 0.5.
        saturation (float): Defaults to 0.5.
        hue (float): Defaults to 0.0.
        gamma (bool): Random gamma. Defaults to True.
        blur (bool): Random Gaussian blur. Defaults to True.
    """

    def __init__(self,
                 brightness: float = 0.5,
                 contrast: float = 0.5,
                 saturation: float = 0.5,
                 hue: float = 0.0,
                 gamma: bool = True,
                 blur: bool = True) -> None:
        self.jitter = tv.ColorJitter(brightness, contrast, saturation, hue)
        self.gamma = gamma
        self.blur = blur

    def _color(self, images: List[Image.Image]) -> List[Image.Image]:
        order, bri, con, sat, hue = tv.ColorJitter.get_params(
            self.jitter.brightness, self.jitter.contrast,
            self.jitter.saturation, self.jitter.hue)
        ops = {
            0: (TF.adjust_brightness, bri),
            1: (TF.adjust_contrast, con),
            2: (TF.adjust_saturation, sat),
            3: (TF.adjust_hue, hue)
        }
        for idx in order.tolist():
            fn, factor = ops[idx]
            if factor is not None:
                images = [fn(im, factor) for im in images]
        return images

    def transform(self, results: dict) -> dict:
        images = [
            Image.fromarray(np.clip(im, 0, 255).astype(np.uint8))
            for im in results['imgs']
        ]
        images = self._color(images)
        if self.blur and np.random.random() < 0.5:
            radius = np.random.uniform(0, 3)
            images = [im.filter(ImageFilter.GaussianBlur(radius))
                      for im in images]
        arrays = [np.asarray(im, np.float32) / 255.0 for im in images]
        if self.gamma:
            gamma = np.random.uniform(0.7, 1.5)
            arrays = [np.clip(a**gamma, 0.0, 1.0) for a in arrays]
        results['imgs_ph'] = [a * 255.0 for a in arrays]
        return results
