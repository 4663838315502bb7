# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Pack a flow sample into model inputs and a ``FlowDataSample``."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import PixelData
from mmseg.registry import TRANSFORMS

from ..flow_data_sample import FlowDataSample


def _frames(images) -> torch.Tensor:
    stacked = np.concatenate([np.asarray(im, np.float32) for im in images],
                             axis=2)
    return torch.from_numpy(np.ascontiguousarray(stacked.transpose(2, 0, 1)))


def _map(array: np.ndarray) -> torch.Tensor:
    array = np.asarray(array, np.float32)
    if array.ndim == 2:
        array = array[..., None]
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


@TRANSFORMS.register_module()
class PackFlowInputs(BaseTransform):
    """``inputs = dict(imgs=(3 n, H, W)[, imgs_ph])`` (0-255 float) and a
    :class:`FlowDataSample` with ``gt_flow_fw``, ``gt_valid_fw``,
    ``gt_noc_fw`` when loaded.

    Args:
        meta_keys (Sequence[str]): Keys copied to the metainfo. Defaults to
            ('img_paths', 'ori_shape', 'img_shape', 'submission_path',
            'flow_fw_path').
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('img_paths', 'ori_shape',
                                             'img_shape', 'submission_path',
                                             'flow_fw_path')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        inputs = dict(imgs=_frames(results['imgs']))
        if 'imgs_ph' in results:
            inputs['imgs_ph'] = _frames(results['imgs_ph'])
        sample = FlowDataSample()
        for key in ('gt_flow_fw', 'gt_valid_fw', 'gt_noc_fw'):
            if key in results:
                setattr(sample, key, PixelData(data=_map(results[key])))
        sample.set_metainfo({
            key: results[key]
            for key in self.meta_keys if key in results
        })
        return dict(inputs=inputs, data_samples=sample)
