# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Base of the face verification pair datasets."""
from typing import List, Sequence, Tuple

import mmcv
import numpy as np
from mmengine.logging import print_log
from mmpretrain.datasets import BaseDataset


class FacePairDataset(BaseDataset):
    """Images of verification pairs, pair :math:`k` = samples
    :math:`2k, 2k+1`, with the pair labels in ``metainfo['issame']``.

    Subclasses implement :meth:`load_pairs`, returning one data info per
    image (``img_path`` or encoded ``img_bytes``) and the ``issame`` list.
    Encoded images are decoded (BGR) when a sample is fetched, so the
    pipeline starts after image loading.
    """

    def load_pairs(self) -> Tuple[List[dict], List[bool]]:
        """Return (per-image infos, per-pair issame)."""
        raise NotImplementedError

    def load_data_list(self) -> List[dict]:
        """Load the pairs and publish ``issame`` in the metainfo."""
        infos, issame = self.load_pairs()
        if not issame:
            raise ValueError(f'{type(self).__name__}: {self.ann_file} holds '
                             'no pairs')
        if len(infos) != 2 * len(issame):
            raise ValueError(
                f'{type(self).__name__}: {self.ann_file} has {len(infos)} '
                f'images for {len(issame)} pairs (expected '
                f'{2 * len(issame)})')
        self._metainfo['issame'] = [bool(x) for x in issame]
        self._metainfo['num_pairs'] = len(issame)
        print_log(
            f'{type(self).__name__}: {len(issame)} pairs '
            f'({int(np.sum(issame))} same) from {self.ann_file}',
            logger='current')
        return infos

    def get_data_info(self, idx: int) -> dict:
        """The data info of image ``idx``, with ``img`` decoded if encoded."""
        info = super().get_data_info(idx)
        if 'img_bytes' in info:
            img = mmcv.imfrombytes(info.pop('img_bytes'), flag='color')
            if img is None:
                raise ValueError(f'{type(self).__name__}: image {idx} of '
                                 f'{self.ann_file} cannot be decoded')
            info.update(
                img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2])
        return info

    @staticmethod
    def check_issame(issame: Sequence, source: str) -> List[bool]:
        """Check that ``issame`` holds booleans/0/1 only."""
        values = list(issame)
        bad = [v for v in values if v not in (True, False, 0, 1)]
        if bad:
            raise ValueError(f'{source}: issame must be booleans, found '
                             f'{bad[:3]}')
        return [bool(v) for v in values]
