# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MPDVerificationDataset: test images of MPD with their pair list."""
import os.path as osp
from typing import List, Optional

import numpy as np
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS

from .mpd_palm_dataset import MPDPalmDataset
from .mpd_pairs import make_mpd_pairs, pair_arrays, read_pair_list


@DATASETS.register_module()
class MPDVerificationDataset(MPDPalmDataset):
    """The images of a subject subset of MPD (`Towards Palmprint
    Verification on Smartphones <https://arxiv.org/abs/2003.13266>`_),
    each once, and verification pairs over them in the metainfo:
    ``pairs`` (P x 2 sample indices), ``issame`` and ``pair_fold``
    (``'calib'``: pairs whose subjects choose the threshold, ``'eval'``:
    the reported ones), read by ``PalmVerificationMetric``.

    Pairs come from ``pair_file`` (``name1 name2 0|1 [fold]`` lines) or are
    generated for ``protocol`` (``'cross_session'``, ``'cross_device'``,
    ``'all'``; see ``make_mpd_pairs``).

    Args:
        subset (str): Subject subset. Defaults to ``'test'``.
        protocol (str): Pair protocol. Defaults to ``'cross_session'``.
        pair_file (str, optional): Pair list (relative to ``data_root``).
            Defaults to None.
        impostors_per_genuine (float): Impostor/genuine ratio of generated
            pairs (<= 0: all). Defaults to 1.0.
        calib_fraction (float): Subjects choosing the threshold.
            Defaults to 0.5.
        pair_seed (int): Impostor sampling seed. Defaults to 0.
        **kwargs: ``MPDPalmDataset`` arguments.
    """

    def __init__(self,
                 subset: str = 'test',
                 protocol: str = 'cross_session',
                 pair_file: Optional[str] = None,
                 impostors_per_genuine: float = 1.0,
                 calib_fraction: float = 0.5,
                 pair_seed: int = 0,
                 **kwargs) -> None:
        self.protocol = protocol
        self.pair_file = pair_file
        self.impostors_per_genuine = impostors_per_genuine
        self.calib_fraction = calib_fraction
        self.pair_seed = pair_seed
        kwargs.setdefault('test_mode', True)
        super().__init__(subset=subset, **kwargs)

    def load_data_list(self) -> List[dict]:
        """The images and the pairs over them."""
        data_list = super().load_data_list()
        names = [osp.basename(d['img_path']) for d in data_list]
        if self.pair_file:
            path = self.pair_file if osp.isabs(self.pair_file) or \
                not self.data_root else osp.join(self.data_root,
                                                 self.pair_file)
            pairs = read_pair_list(path)
        else:
            pairs = make_mpd_pairs(names, self.protocol,
                                   self.impostors_per_genuine,
                                   self.calib_fraction, self.pair_seed)
        if not pairs:
            raise ValueError(f'MPDVerificationDataset: no {self.protocol} '
                             'pairs among the images (needs two sessions '
                             'or phones per hand)')
        idx, issame, fold = pair_arrays(pairs, names)
        self._metainfo.update(
            pairs=idx.tolist(), issame=issame.tolist(),
            pair_fold=fold.tolist(), protocol=self.protocol)
        print_log(
            f'MPDVerificationDataset ({self.protocol}): {len(pairs)} pairs '
            f'({int(issame.sum())} genuine; '
            f"{int(np.sum(fold == 'calib'))} for the threshold) over "
            f'{len(data_list)} images',
            logger='current')
        return data_list
