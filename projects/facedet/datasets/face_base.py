# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The base of the face-detection datasets: mmdet's ``filter_cfg``."""
from typing import List

from mmdet.datasets import BaseDetDataset
from mmengine.logging import print_log

FILTER_KEYS = ('filter_empty_gt', 'min_size')


class FaceDetBaseDataset(BaseDetDataset):
    """``BaseDetDataset`` that applies ``filter_cfg`` as mmdet's
    ``CocoDataset`` and ``XMLDataset`` do, and logs what it drops.

    ``filter_cfg=dict(filter_empty_gt=True, min_size=32)`` drops, outside
    ``test_mode``, the images without a face to learn from (every instance
    an ignore box, or none) and the images whose shorter side is below
    ``min_size`` pixels. Other keys are an error, not silently ignored.
    """

    def filter_data(self) -> List[dict]:
        """Drop the images ``filter_cfg`` excludes; log how many and why."""
        cfg = self.filter_cfg or {}
        unknown = sorted(set(cfg) - set(FILTER_KEYS))
        if unknown:
            raise KeyError(f'{type(self).__name__}: filter_cfg keys '
                           f'{unknown} are not supported (use '
                           f'{list(FILTER_KEYS)})')
        if self.test_mode or not cfg:
            return self.data_list
        min_size = cfg.get('min_size', 0)
        kept, empty, small = [], 0, 0
        for info in self.data_list:
            if cfg.get('filter_empty_gt', False) and not any(
                    inst['ignore_flag'] == 0 for inst in info['instances']):
                empty += 1
            elif min(info['width'], info['height']) < min_size:
                small += 1
            else:
                kept.append(info)
        report = (f'{self.ann_file}: filter_cfg dropped {empty + small} of '
                  f'{len(self.data_list)} images ({empty} without a face to '
                  f'learn from, {small} with a side under {min_size} px)')
        if self.data_list and not kept:
            raise ValueError(f'{report}: none is left to train on')
        if empty or small:
            print_log(report, logger='current')
        return kept
