# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Identity-folder face set split into easy and hard images for DDL."""
import os.path as osp
import re
from typing import Dict, List, Optional

import numpy as np
from mmengine.fileio import get_text
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS

from projects.facerec import FaceIdentityDataset

#: Stream ids carried by every sample as ``ddl_stream``.
EASY_CLS, HARD_CLS, EASY_PAIR, HARD_PAIR = 0, 1, 2, 3
STREAM_NAMES = ('easy_cls', 'hard_cls', 'easy_pair', 'hard_pair')


@DATASETS.register_module()
class DDLFaceDataset(FaceIdentityDataset):
    """Identity-folder face set whose images are split into easy and hard
    ones, the data of `Distribution Distillation Loss
    <https://arxiv.org/abs/2002.03662>`_ (e.g. frontal vs profile VGGFace2,
    or SCface at 1.0 m vs 4.2 m).

    The split is either a file of lines ``<path> <easy|hard>`` (``path``
    relative to ``data_root/data_prefix``) or a rule: images whose relative
    path matches ``hard_regex`` are hard, the others easy. With a split file,
    images it does not list are left out, counted and logged.

    ``DDLFourStreamSampler`` draws indices ``stream * len(self) + i``;
    :meth:`get_data_info` decodes them and stores ``ddl_stream`` (0 easy
    classification, 1 hard classification, 2 easy pairs, 3 hard pairs) in
    the sample, so ``PackInputs`` must keep it in ``meta_keys``.

    Args:
        split_file (str, optional): The split file. Defaults to None.
        hard_regex (str, optional): The rule, a regular expression searched
            in the relative path. Defaults to None.
        **kwargs: ``FaceIdentityDataset`` arguments.
    """

    def __init__(self,
                 split_file: Optional[str] = None,
                 hard_regex: Optional[str] = None,
                 **kwargs) -> None:
        if (split_file is None) == (hard_regex is None):
            raise ValueError('DDLFaceDataset: give exactly one of split_file '
                             'and hard_regex')
        self.split_file = split_file
        self.hard_regex = hard_regex
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        """Scan the identity folders and mark each image ``is_hard``."""
        data_list = super().load_data_list()
        # data_prefix already holds data_root (BaseDataset._join_prefix).
        root = self.data_prefix['img_path']
        split = self._read_split() if self.split_file else None
        kept, missing = [], 0
        for info in data_list:
            rel = osp.relpath(info['img_path'], root)
            if split is None:
                info['is_hard'] = re.search(self.hard_regex, rel) is not None
            elif rel in split:
                info['is_hard'] = split[rel]
            else:
                missing += 1
                continue
            kept.append(info)
        # Kept beside the serialized list so the sampler needs no decoding.
        self.ddl_labels = np.array([info['gt_label'] for info in kept],
                                   dtype=np.int64)
        self.ddl_is_hard = np.array([info['is_hard'] for info in kept],
                                    dtype=bool)
        num_hard = int(self.ddl_is_hard.sum())
        print_log(
            f'DDLFaceDataset: {len(kept) - num_hard} easy and {num_hard} '
            f'hard images; {missing} images left out (not in the split '
            'file)',
            logger='current',
            level=30 if missing else 20)
        return kept

    def _read_split(self) -> Dict[str, bool]:
        """``relative path -> is_hard`` from the split file."""
        split = {}
        for lineno, line in enumerate(
                get_text(self.split_file).splitlines(), 1):
            if not line.strip():
                continue
            fields = line.split()
            if len(fields) != 2 or fields[1] not in ('easy', 'hard'):
                raise ValueError(
                    f'DDLFaceDataset: {self.split_file}:{lineno}: expected '
                    f'"<path> easy|hard", got {line!r}')
            split[osp.normpath(fields[0])] = fields[1] == 'hard'
        return split

    def get_data_info(self, idx: int) -> dict:
        """The image ``idx % len(self)`` tagged with stream
        ``idx // len(self)``."""
        stream, image = divmod(int(idx), len(self))
        if stream >= len(STREAM_NAMES):
            raise IndexError(f'DDLFaceDataset: index {idx} is beyond the '
                             f'{len(STREAM_NAMES)} streams of {len(self)} '
                             'images')
        info = super().get_data_info(image)
        info['ddl_stream'] = stream
        return info
