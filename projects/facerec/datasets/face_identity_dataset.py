# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Identity-folder face training sets (``root/<identity>/<image>``)."""
import numpy as np
from mmengine.logging import print_log
from mmpretrain.datasets import CustomDataset
from mmpretrain.registry import DATASETS


@DATASETS.register_module()
class FaceIdentityDataset(CustomDataset):
    """Face recognition training set laid out as one folder per identity,
    ``data_root/data_prefix/<identity>/<image>`` (the layout of unpacked
    MS1MV2 / CASIA-WebFace used by `CurricularFace
    <https://arxiv.org/abs/2004.00288>`_); the identity index is the label.

    It is mmpretrain's ``CustomDataset`` with labels on, which already scans
    the folders; it adds a log of the identity and image counts and of the
    identity folders that hold no image (they keep their class index, so
    label ids stay stable, but are counted).

    Args:
        **kwargs: ``CustomDataset`` arguments (``data_root``,
            ``data_prefix``, ``extensions``, ``pipeline``, ...).
    """

    def __init__(self, **kwargs) -> None:
        kwargs['with_label'] = True
        self.num_skipped_files = 0
        super().__init__(**kwargs)

    def is_valid_file(self, filename: str) -> bool:
        """An image by its extension; other files are counted as skipped."""
        valid = super().is_valid_file(filename)
        self.num_skipped_files += not valid
        return valid

    def load_data_list(self) -> list:
        """Scan the identity folders and log the counts."""
        data_list = super().load_data_list()
        num_ids = len(self._metainfo.get('classes') or ())
        counts = np.bincount([d['gt_label'] for d in data_list],
                             minlength=num_ids)
        empty = int(np.sum(counts == 0))
        print_log(
            f'FaceIdentityDataset: {len(data_list)} images of {num_ids} '
            f'identities (images per identity: min {counts.min(initial=0)}, '
            f'max {counts.max(initial=0)}); {empty} identity folders without '
            f'images; {self.num_skipped_files} non-image files skipped',
            logger='current',
            level=30 if empty or self.num_skipped_files else 20)
        return data_list
