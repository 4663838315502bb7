# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MPDPalmDataset: MPD ROIs labelled by hand, split by subject."""
from typing import List, Optional, Sequence, Union

import numpy as np
from mmengine.logging import print_log
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

from .mpd_folder import scan_mpd_folder, split_subjects

SUBSETS = ('train', 'test', 'all')


@DATASETS.register_module()
class MPDPalmDataset(BaseDataset):
    """Palm ROIs of MPD (`Towards Palmprint Verification on Smartphones
    <https://arxiv.org/abs/2003.13266>`_) read from one folder of
    MPD-named images (``{id}_{session}_{device}_{hand}_{iter}.jpg``, the
    ``3-ROI_verification`` release or ROIs cut by ``PalmROIExtractor``).

    The class of an image is its hand, subject x left/right (MPD: 400
    classes); classes are numbered over the kept subjects in sorted order.
    The subjects are split disjointly (open set: no subject is in both
    subsets) by ``test_subjects`` / ``split_mode`` / ``split_seed``; the
    split is ours, the paper's protocol was not found.

    Args:
        data_root (str): Root of the data. Defaults to ''.
        data_prefix (str): Folder of the images under ``data_root``.
            Defaults to ''.
        subset (str): ``'train'``, ``'test'`` or ``'all'``.
            Defaults to ``'train'``.
        test_subjects (int | float | Sequence[str]): Test subjects (count,
            fraction or ids). Defaults to 0.2.
        split_mode (str): ``'last'``, ``'first'`` or ``'random'``.
            Defaults to ``'last'``.
        split_seed (int): Seed of the random split. Defaults to 0.
        sessions (Sequence[int], optional): Keep only these sessions.
            Defaults to None (all).
        devices (Sequence[str], optional): Keep only these phones.
            Defaults to None (all).
        on_bad_name (str): ``'error'`` or ``'skip'`` (counted, logged).
            Defaults to ``'error'``.
        **kwargs: ``BaseDataset`` arguments (pipeline, test_mode, ...).
    """

    def __init__(self,
                 data_root: str = '',
                 data_prefix: str = '',
                 subset: str = 'train',
                 test_subjects: Union[int, float, Sequence[str]] = 0.2,
                 split_mode: str = 'last',
                 split_seed: int = 0,
                 sessions: Optional[Sequence[int]] = None,
                 devices: Optional[Sequence[str]] = None,
                 on_bad_name: str = 'error',
                 **kwargs) -> None:
        if subset not in SUBSETS:
            raise ValueError(f'MPDPalmDataset: subset must be one of '
                             f'{SUBSETS}, got {subset!r}')
        self.subset = subset
        self.test_subjects = test_subjects
        self.split_mode = split_mode
        self.split_seed = split_seed
        self.sessions = None if sessions is None else set(sessions)
        self.devices = None if devices is None else set(devices)
        self.on_bad_name = on_bad_name
        super().__init__(
            ann_file='', data_root=data_root, data_prefix=data_prefix,
            **kwargs)

    def _kept(self, items: list) -> list:
        """The images of the subset's subjects, sessions and phones."""
        train, test = split_subjects([n.subject for _, n in items],
                                     self.test_subjects, self.split_mode,
                                     self.split_seed)
        subjects = set({'train': train, 'test': test,
                        'all': train + test}[self.subset])
        return [(p, n) for p, n in items
                if n.subject in subjects and
                (self.sessions is None or n.session in self.sessions) and
                (self.devices is None or n.device in self.devices)]

    def load_data_list(self) -> List[dict]:
        """Scan, split, and label by hand."""
        items = self._kept(
            scan_mpd_folder(self.data_prefix['img_path'], self.on_bad_name))
        if not items:
            raise ValueError(f'MPDPalmDataset: no {self.subset} images in '
                             f"{self.data_prefix['img_path']} (check the "
                             'folder, test_subjects, sessions, devices)')
        classes = sorted({n.hand_id for _, n in items})
        index = {c: i for i, c in enumerate(classes)}
        self._metainfo['classes'] = tuple(classes)
        data_list = [
            dict(img_path=p, gt_label=index[n.hand_id], subject=n.subject,
                 hand=n.hand, session=n.session, device=n.device,
                 iteration=n.iteration) for p, n in items
        ]
        counts = np.bincount([d['gt_label'] for d in data_list])
        print_log(
            f'MPDPalmDataset ({self.subset}): {len(data_list)} images of '
            f'{len(classes)} hands of '
            f"{len({d['subject'] for d in data_list})} subjects (images per "
            f'hand: min {counts.min()}, max {counts.max()})',
            logger='current')
        return data_list
