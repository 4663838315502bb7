# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Content loss, style loss and speed of stylised images."""
import os
import os.path as osp
from typing import List, Optional, Sequence

import mmcv
import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmpretrain.registry import METRICS


@METRICS.register_module()
class StyleTransferMetric(BaseMetric):
    """Mean content loss, mean style loss and images per second of a
    style transfer model, the quantitative measures of `Arbitrary Style
    Transfer via Multi-Adaptation Network <https://arxiv.org/abs/2005.13219>`_:

    .. math::
        L_c = \\textstyle\\sum_{4,5} \\|\\bar\\phi_i(I_{cs}) -
        \\bar\\phi_i(I_c)\\|^2, \\qquad
        L_s = \\textstyle\\sum_{1..5} \\|\\mu(\\phi_i(I_{cs})) -
        \\mu(\\phi_i(I_s))\\|^2 + \\|\\sigma(\\cdot) - \\sigma(\\cdot)\\|^2

    per image, as computed by the model's ``predict`` on the clamped
    output with its own encoder (``content_loss``, ``style_loss``), and
    ``images / sum(time)`` with the model's per-image stylisation time
    (encoder + transfer + decoder).

    With ``dump_dir`` the stylised images are written there as
    ``<content>_stylized_<style>.<ext>`` (the official ``test.py`` names),
    e.g. ``tools/test.py CONFIG CKPT --cfg-options
    test_evaluator.dump_dir=out``.

    Args:
        dump_dir (str, optional): Folder for the stylised images. Defaults
            to None (nothing written).
        dump_ext (str): Image extension of the dump. Defaults to 'png'.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to 'cpu'.
        prefix (str, optional): Metric name prefix. Defaults to
            'style_transfer'.
    """
    default_prefix: Optional[str] = 'style_transfer'

    def __init__(self,
                 dump_dir: Optional[str] = None,
                 dump_ext: str = 'png',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.dump_dir = dump_dir
        self.dump_ext = dump_ext.lstrip('.')

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep each sample's losses and time; dump its image if asked."""
        for sample in data_samples:
            missing = [
                k for k in ('pred_img', 'content_loss', 'style_loss', 'time')
                if k not in sample
            ]
            if missing:
                raise KeyError('StyleTransferMetric needs the predictions of '
                               f'a style transfer model, missing {missing}')
            if self.dump_dir:
                self._dump(sample)
            self.results.append(
                dict(
                    content_loss=float(sample['content_loss']),
                    style_loss=float(sample['style_loss']),
                    time=float(sample['time'])))

    def _dump(self, sample: dict) -> None:
        name = '{}_stylized_{}.{}'.format(
            _stem(sample.get('content_path'), 'content'),
            _stem(sample.get('style_path'), 'style'), self.dump_ext)
        os.makedirs(self.dump_dir, exist_ok=True)
        mmcv.imwrite(to_uint8_bgr(sample['pred_img']),
                     osp.join(self.dump_dir, name))

    def compute_metrics(self, results: List[dict]) -> dict:
        """Means over all images and the throughput."""
        if not results:
            raise ValueError('StyleTransferMetric: no images were evaluated')
        seconds = sum(r['time'] for r in results)
        metrics = dict(
            content_loss=float(np.mean([r['content_loss'] for r in results])),
            style_loss=float(np.mean([r['style_loss'] for r in results])),
            images_per_second=len(results) / seconds if seconds > 0 else
            float('inf'),
            num_images=len(results))
        if self.dump_dir:
            print_log(f'StyleTransferMetric: wrote {len(results)} images to '
                      f'{self.dump_dir}', logger='current')
        return metrics


def to_uint8_bgr(img) -> np.ndarray:
    """``(3, H, W)`` RGB in [0, 1] -> ``(H, W, 3)`` uint8 BGR, rounded as
    torchvision's ``save_image``."""
    array = img.detach().cpu().float().clamp(0, 1).mul(255).add(0.5)
    array = array.clamp(0, 255).byte().permute(1, 2, 0).numpy()
    return np.ascontiguousarray(array[..., ::-1])


def _stem(path: Optional[str], default: str) -> str:
    return osp.splitext(osp.basename(path))[0] if path else default
