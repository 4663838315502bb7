# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Common base of the frame-pair (sequence) datasets."""
import os.path as osp
from typing import List, Sequence

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log


class FlowPairDataset(BaseDataset):
    """Samples of ``n_frames`` consecutive frames, optionally with flow.

    Each data info holds ``img_paths`` (absolute) and, when annotated,
    ``flow_fw_path`` (``.flo`` or KITTI PNG), ``noc_flow_path`` (KITTI
    ``flow_noc``) or ``occ_path`` (Sintel occlusion PNG), and
    ``submission_path`` (the file name a benchmark server expects).
    Subclasses implement :meth:`load_data_list`; a listed file that does not
    exist raises an error naming it, nothing is skipped silently.

    Args:
        n_frames (int): Frames per sample. Defaults to 2.
        **kwargs: ``BaseDataset`` arguments (``data_root``, ``pipeline``,
            ``test_mode``, ...).
    """

    def __init__(self, n_frames: int = 2, **kwargs) -> None:
        if n_frames < 2:
            raise ValueError(f'{type(self).__name__}: n_frames must be >= 2, '
                             f'got {n_frames}')
        self.n_frames = n_frames
        super().__init__(**kwargs)

    def _path(self, *parts: str) -> str:
        return osp.join(self.data_root, *parts)

    def _require_dir(self, path: str) -> str:
        if not osp.isdir(path):
            raise FileNotFoundError(f'{type(self).__name__}: folder {path} '
                                    'does not exist')
        return path

    def _require_files(self, paths: Sequence[str], what: str) -> None:
        for path in paths:
            if not osp.isfile(path):
                raise FileNotFoundError(f'{type(self).__name__}: {what} '
                                        f'{path} does not exist')

    def _log_count(self, data_list: List[dict], detail: str = '') -> None:
        if not data_list:
            raise ValueError(f'{type(self).__name__}: no samples found under '
                             f'{self.data_root} {detail}'.rstrip())
        print_log(
            f'{type(self).__name__}: {len(data_list)} samples {detail}'.rstrip(),
            logger='current')
