# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""KITTI 2012 / 2015 optical flow, the multi-view extension and KITTI raw."""
import os
import os.path as osp
import re
from collections import defaultdict
from typing import Dict, List, Sequence

from mmseg.registry import DATASETS

from .flow_pair_dataset import FlowPairDataset

_MV_FRAME = re.compile(r'^(\d{6})_(\d{2})\.png$')
# Frames 9-12 surround the annotated pair (10 -> 11) of every scene; ARFlow
# leaves them out of multi-view training so no evaluation frame is seen.
_EXCLUDED_MV_FRAMES = range(9, 13)


class _KITTIFlow(FlowPairDataset):
    """``<split>/<img_dir>/%06d_10.png, _11.png`` with ``flow_occ`` /
    ``flow_noc`` 16-bit PNGs (training). Test samples carry
    ``submission_path`` ``flow/%06d_10.png`` (the devkit's layout).

    Args:
        split (str): 'training' or 'testing'. Defaults to 'training'.
        img_dir (str): Image folder. Defaults to the dataset's own.
        **kwargs: ``FlowPairDataset`` arguments (2 frames, or 3 with
            ``_09``).
    """

    default_img_dir = 'image_2'

    def __init__(self,
                 split: str = 'training',
                 img_dir: str = None,
                 **kwargs) -> None:
        if split not in ('training', 'testing'):
            raise ValueError(f'{type(self).__name__}: split must be training '
                             f'or testing, got {split}')
        self.split = split
        self.img_dir = img_dir or self.default_img_dir
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        root = self._path(self.split)
        img_dir = self._require_dir(osp.join(root, self.img_dir))
        with_flow = self.split == 'training'
        if with_flow:
            flow_dir = self._require_dir(osp.join(root, 'flow_occ'))
            ids = sorted(f[:6] for f in os.listdir(flow_dir)
                         if f.endswith('_10.png'))
        else:
            ids = sorted(f[:6] for f in os.listdir(img_dir)
                         if f.endswith('_10.png'))
        first = 12 - self.n_frames
        data_list = []
        for sid in ids:
            info = dict(
                img_paths=[
                    osp.join(img_dir, f'{sid}_{first + i:02d}.png')
                    for i in range(self.n_frames)
                ],
                submission_path=f'flow/{sid}_10.png')
            self._require_files(info['img_paths'], 'frame')
            if with_flow:
                info['flow_fw_path'] = osp.join(root, 'flow_occ',
                                                f'{sid}_10.png')
                info['noc_flow_path'] = osp.join(root, 'flow_noc',
                                                 f'{sid}_10.png')
                self._require_files([info['noc_flow_path']], 'flow_noc map')
            data_list.append(info)
        self._log_count(data_list, f'({self.split})')
        return data_list


@DATASETS.register_module()
class KITTI2015(_KITTIFlow):
    __doc__ = 'KITTI 2015 flow (``image_2``).\n' + _KITTIFlow.__doc__
    default_img_dir = 'image_2'


@DATASETS.register_module()
class KITTI2012(_KITTIFlow):
    __doc__ = ('KITTI 2012 flow (``colored_0`` as released; ARFlow reads an '
               '``image_2`` link).\n' + _KITTIFlow.__doc__)
    default_img_dir = 'colored_0'


@DATASETS.register_module()
class KITTIMultiView(FlowPairDataset):
    """KITTI multi-view extension for unsupervised fine-tuning: every run of
    ``n_frames`` consecutive frames ``%06d_%02d.png`` of a scene, in each
    image folder, that contains none of frames 9-12 (official
    ``KITTIFlowMV``).

    Args:
        split (str): 'training' or 'testing'. Defaults to 'training'.
        img_dirs (Sequence[str]): Defaults to ('image_2', 'image_3').
        **kwargs: ``FlowPairDataset`` arguments.
    """

    def __init__(self,
                 split: str = 'training',
                 img_dirs: Sequence[str] = ('image_2', 'image_3'),
                 **kwargs) -> None:
        self.split = split
        self.img_dirs = list(img_dirs)
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        data_list = []
        for img_dir in self.img_dirs:
            folder = self._require_dir(self._path(self.split, img_dir))
            scenes: Dict[str, List[int]] = defaultdict(list)
            for name in os.listdir(folder):
                match = _MV_FRAME.match(name)
                if match:
                    scenes[match.group(1)].append(int(match.group(2)))
            for sid in sorted(scenes):
                frames = sorted(scenes[sid])
                for start in range(len(frames) - self.n_frames + 1):
                    window = frames[start:start + self.n_frames]
                    if window[-1] - window[0] != self.n_frames - 1 or any(
                            f in _EXCLUDED_MV_FRAMES for f in window):
                        continue
                    data_list.append(
                        dict(img_paths=[
                            osp.join(folder, f'{sid}_{f:02d}.png')
                            for f in window
                        ]))
        self._log_count(data_list, '(multi-view, frames 9-12 excluded)')
        return data_list


@DATASETS.register_module()
class KITTIRaw(FlowPairDataset):
    """KITTI raw frame tuples from a list file: one sample per line, the
    ``n_frames`` image paths relative to ``data_root`` separated by spaces
    (official ``kitti_train_2f_sv.txt``).

    Args:
        ann_file (str): The list file.
        **kwargs: ``FlowPairDataset`` arguments.
    """

    def load_data_list(self) -> List[dict]:
        self._require_files([self.ann_file], 'list file')
        data_list = []
        with open(self.ann_file) as f:
            for line_no, line in enumerate(f, 1):
                parts = line.split()
                if not parts:
                    continue
                if len(parts) < self.n_frames:
                    raise ValueError(f'{self.ann_file}:{line_no}: '
                                     f'{len(parts)} paths, need '
                                     f'{self.n_frames}')
                paths = [self._path(p) for p in parts[:self.n_frames]]
                for path in paths:
                    if not osp.isfile(path):
                        raise FileNotFoundError(
                            f'{self.ann_file}:{line_no}: frame {path} does '
                            'not exist')
                data_list.append(dict(img_paths=paths))
        self._log_count(data_list, f'from {self.ann_file}')
        return data_list
