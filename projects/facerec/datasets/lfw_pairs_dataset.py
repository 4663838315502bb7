# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""LFW's ``pairs.txt`` verification layout."""
import os.path as osp
from typing import List, Tuple

from mmengine.fileio import get_text
from mmpretrain.registry import DATASETS

from .face_pair_dataset import FacePairDataset


@DATASETS.register_module()
class LFWPairsDataset(FacePairDataset):
    """Verification pairs in the layout of `Labeled Faces in the Wild
    <http://vis-www.cs.umass.edu/lfw/>`_: images
    ``data_root/<name>/<name>_<NNNN><ext>`` and a ``pairs.txt`` whose lines
    are ``name i j`` (same person) or ``name1 i name2 j`` (different), an
    optional first header line ``<folds> <pairs per fold>``.

    Args:
        ann_file (str): The ``pairs.txt`` path.
        data_root (str): Folder of the per-person image folders.
        img_ext (str): Image extension. Defaults to ``'.jpg'``.
        pipeline (list): Transforms from ``LoadImageFromFile`` on.
            Defaults to ().
        **kwargs: Other ``BaseDataset`` arguments.
    """

    def __init__(self,
                 ann_file: str,
                 data_root: str = '',
                 img_ext: str = '.jpg',
                 pipeline: list = (),
                 **kwargs) -> None:
        self.img_ext = img_ext
        kwargs.setdefault('test_mode', True)
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            pipeline=pipeline,
            **kwargs)

    def _image(self, name: str, number: str, line_no: int) -> str:
        """Path of image ``number`` of ``name``; error if missing."""
        try:
            path = osp.join(self.data_root, name,
                            f'{name}_{int(number):04d}{self.img_ext}')
        except ValueError:
            raise ValueError(f'LFWPairsDataset: {self.ann_file} line '
                             f'{line_no}: image number {number!r} is not an '
                             'integer') from None
        if not osp.isfile(path):
            raise FileNotFoundError(f'LFWPairsDataset: {self.ann_file} line '
                                    f'{line_no}: image {path} not found')
        return path

    def load_pairs(self) -> Tuple[List[dict], List[bool]]:
        """Parse :attr:`ann_file` into per-image infos and ``issame``."""
        infos, issame = [], []
        lines = get_text(self.ann_file).splitlines()
        for line_no, line in enumerate(lines, start=1):
            fields = line.split()
            if not fields or (line_no == 1 and len(fields) == 2
                              and all(f.isdigit() for f in fields)):
                continue
            if len(fields) == 3:
                pair = [(fields[0], fields[1]), (fields[0], fields[2])]
            elif len(fields) == 4:
                pair = [(fields[0], fields[1]), (fields[2], fields[3])]
            else:
                raise ValueError(f'LFWPairsDataset: {self.ann_file} line '
                                 f'{line_no}: expected 3 or 4 fields, got '
                                 f'{len(fields)}: {line!r}')
            for name, number in pair:
                infos.append(
                    dict(
                        img_path=self._image(name, number, line_no),
                        pair_index=len(issame)))
            issame.append(len(fields) == 3)
        return infos, issame
