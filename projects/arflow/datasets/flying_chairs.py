# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""FlyingChairs (Dosovitskiy et al. 2015) in its released layout."""
import glob
from typing import List

from mmseg.registry import DATASETS

from .flow_pair_dataset import FlowPairDataset


@DATASETS.register_module()
class FlyingChairs(FlowPairDataset):
    """FlyingChairs: ``data/%05d_img1.ppm, _img2.ppm, _flow.flo`` and a
    split file with one line per pair (1 = train, 2 = val).

    Used to evaluate ARFlow-style models on synthetic data (the official
    ARFlow configs do not train on it).

    Args:
        split_file (str): ``FlyingChairs_train_val.txt`` (relative to
            ``data_root`` or absolute).
        split (str): 'train' or 'val'. Defaults to 'train'.
        **kwargs: ``FlowPairDataset`` arguments.
    """

    def __init__(self, split_file: str, split: str = 'train',
                 **kwargs) -> None:
        if split not in ('train', 'val'):
            raise ValueError(f'FlyingChairs: split must be train or val, got '
                             f'{split}')
        self.split_file = split_file
        self.split = split
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        split_file = self.split_file if self.split_file.startswith('/') \
            else self._path(self.split_file)
        self._require_files([split_file], 'split file')
        with open(split_file) as f:
            flags = [line.strip() for line in f if line.strip()]
        bad = [(i + 1, v) for i, v in enumerate(flags) if v not in ('1', '2')]
        if bad:
            raise ValueError(f'{split_file}:{bad[0][0]}: split flag must be 1 '
                             f'or 2, got {bad[0][1]!r}')
        data_dir = self._require_dir(self._path('data'))
        n_flows = len(glob.glob(f'{data_dir}/*_flow.flo'))
        if n_flows != len(flags):
            raise ValueError(f'{split_file}: {len(flags)} lines but '
                             f'{n_flows} flows in {data_dir}')
        wanted = '1' if self.split == 'train' else '2'
        data_list = []
        for i, flag in enumerate(flags):
            if flag != wanted:
                continue
            stem = f'{data_dir}/{i + 1:05d}'
            info = dict(
                img_paths=[f'{stem}_img1.ppm', f'{stem}_img2.ppm'],
                flow_fw_path=f'{stem}_flow.flo',
                submission_path=f'{i + 1:05d}_flow.flo')
            self._require_files(info['img_paths'] + [info['flow_fw_path']],
                                'file')
            data_list.append(info)
        self._log_count(data_list, f'({self.split})')
        return data_list
