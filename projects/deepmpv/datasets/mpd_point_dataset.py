# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MPDPointDataset: annotated key points turned into detector boxes."""
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional

import numpy as np
from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS
from mmengine.logging import print_log
from PIL import Image

from ..roi.geometry import farthest_pair
from .mpd_gap_dataset import PALM_CLASSES

BOX_UNITS = ('L', 'px')


def read_point_file(path: str) -> Dict[str, List[tuple]]:
    """``{file} {class} {x} {y} [tag]`` lines -> file -> [(class, x, y,
    tag)], in file order; errors name the file and line."""
    points: Dict[str, List[tuple]] = OrderedDict()
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            try:
                if len(fields) not in (4, 5):
                    raise ValueError
                x, y = float(fields[2]), float(fields[3])
                if not (np.isfinite(x) and np.isfinite(y)):
                    raise ValueError
            except ValueError:
                raise ValueError(
                    f'MPD points: {path}:{lineno}: expected "file class x y '
                    f'[tag]" with finite x, y, got {line.strip()!r}'
                ) from None
            tag = fields[4] if len(fields) == 5 else ''
            points.setdefault(fields[0], []).append((fields[1], x, y, tag))
    return points


@DATASETS.register_module()
class MPDPointDataset(BaseDetDataset):
    """Detector training data from key-point annotations (the finger gaps
    and palm centre of MPD photos, `Towards Palmprint Verification on
    Smartphones <https://arxiv.org/abs/2003.13266>`_), each point turned
    into a square box centred on it, the form the DeepMPV+ detector
    predicts (box centres are its points). Box sides are per class, in
    units of L (distance of the two farthest gaps of the photo) or pixels;
    the sizes are ours (MPD's box sizes are unknown).

    ``ann_file``: ``{file} {class} {x} {y} [tag]`` lines (written by
    ``tools/misc/make_palms.py``); images under ``data_prefix['img']``;
    ``split_file`` (optional) lists the image stems to keep.

    Args:
        split_file (str, optional): Stems to keep (relative to
            ``data_root``). Defaults to None (all).
        box_sizes (dict, optional): Class -> box side. Defaults to
            finger_gap 0.5, palm_center 1.0.
        box_unit (str): ``'L'`` or ``'px'``. Defaults to ``'L'``.
        **kwargs: ``BaseDetDataset`` arguments.
    """

    METAINFO = dict(classes=PALM_CLASSES,
                    palette=[(220, 20, 60), (0, 160, 80)])

    def __init__(self,
                 split_file: Optional[str] = None,
                 box_sizes: Optional[dict] = None,
                 box_unit: str = 'L',
                 **kwargs) -> None:
        if box_unit not in BOX_UNITS:
            raise ValueError(f'MPDPointDataset: box_unit must be one of '
                             f'{BOX_UNITS}, got {box_unit!r}')
        self.split_file = split_file
        self.box_sizes = dict(box_sizes or dict(finger_gap=0.5,
                                                palm_center=1.0))
        self.box_unit = box_unit
        super().__init__(**kwargs)

    def _keep(self) -> Optional[set]:
        if not self.split_file:
            return None
        path = self.split_file if osp.isabs(self.split_file) or \
            not self.data_root else osp.join(self.data_root, self.split_file)
        with open(path) as f:
            return {line.strip() for line in f if line.strip()}

    def _length(self, name: str, pts: List[tuple]) -> float:
        if self.box_unit == 'px':
            return 1.0
        gaps = np.array([(x, y) for c, x, y, _ in pts if c == 'finger_gap'])
        if len(gaps) < 2:
            raise ValueError(f'MPDPointDataset: {self.ann_file}: {name} has '
                             f"{len(gaps)} finger gaps; box_unit='L' needs "
                             "two (use box_unit='px')")
        i, j = farthest_pair(gaps)
        return float(np.linalg.norm(gaps[i] - gaps[j]))

    def _instances(self, name: str, pts: List[tuple], width: int,
                   height: int) -> List[dict]:
        length = self._length(name, pts)
        classes = self._metainfo['classes']
        out = []
        for cls, x, y, tag in pts:
            if cls not in classes:
                raise ValueError(f'MPDPointDataset: {self.ann_file}: {name} '
                                 f'has class {cls!r}, not one of {classes}')
            if cls not in self.box_sizes:
                raise KeyError(f'MPDPointDataset: box_sizes has no size for '
                               f'class {cls!r}')
            half = self.box_sizes[cls] * length / 2
            box = [max(x - half, 0.), max(y - half, 0.),
                   min(x + half, width - 1.), min(y + half, height - 1.)]
            out.append(dict(bbox=box, bbox_label=classes.index(cls),
                            ignore_flag=0, point=[x, y], tag=tag))
        return out

    def load_data_list(self) -> List[dict]:
        """One data info per annotated image of the split."""
        points = read_point_file(self.ann_file)
        keep = self._keep()
        data_list = []
        for name, pts in points.items():
            if keep is not None and osp.splitext(name)[0] not in keep:
                continue
            path = osp.join(self.data_prefix.get('img', ''), name)
            if not osp.isfile(path):
                raise FileNotFoundError(f'MPDPointDataset: {self.ann_file} '
                                        f'annotates {name}, but {path} does '
                                        'not exist')
            with Image.open(path) as img:
                width, height = img.size
            data_list.append(dict(
                img_path=path, img_id=osp.splitext(name)[0], width=width,
                height=height,
                instances=self._instances(name, pts, width, height)))
        if not data_list:
            raise ValueError(f'MPDPointDataset: no images of '
                             f'{self.split_file or self.ann_file} in '
                             f'{self.ann_file}')
        print_log(f'MPDPointDataset: {len(data_list)} images, '
                  f"{sum(len(d['instances']) for d in data_list)} points "
                  f'from {self.ann_file}', logger='current')
        return data_list
