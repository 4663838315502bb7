# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MPI-Sintel flow benchmark and the raw Sintel movie."""
import os
import os.path as osp
import re
from typing import List, Sequence, Union

from mmseg.registry import DATASETS

from .flow_pair_dataset import FlowPairDataset

# ARFlow's unofficial split: these 12 training scenes form 'train', the
# other 11 'val' (official ``datasets/flow_datasets.py``).
SINTEL_TRAIN_SCENES = ('alley_1', 'ambush_4', 'ambush_6', 'ambush_7',
                       'bamboo_2', 'bandage_2', 'cave_2', 'market_2',
                       'market_5', 'shaman_2', 'sleeping_2', 'temple_3')
_FRAME = re.compile(r'^frame_(\d{4})\.png$')


def _scenes(folder: str) -> List[str]:
    return sorted(d for d in os.listdir(folder)
                  if osp.isdir(osp.join(folder, d)))


@DATASETS.register_module()
class Sintel(FlowPairDataset):
    """MPI-Sintel: ``<split>/<pass>/<scene>/frame_%04d.png``,
    ``training/flow/<scene>/frame_%04d.flo`` (frame i -> i + 1) and
    ``training/occlusions/<scene>/frame_%04d.png`` (used for EPE noc/occ
    when present).

    Training samples follow the flow files (as ARFlow); test samples are
    every consecutive pair of a scene, with ``submission_path``
    ``<pass>/<scene>/frame_%04d.flo`` (the server's bundler layout).

    Args:
        pass_style (str | Sequence[str]): 'clean', 'final' or both.
            Defaults to 'clean'.
        split (str): 'training' or 'test'. Defaults to 'training'.
        subsplit (str): 'trainval' (all scenes), 'train' (ARFlow's 12
            scenes) or 'val' (the rest). Defaults to 'trainval'.
        scenes (Sequence[str], optional): Explicit scene list (overrides
            ``subsplit``). Defaults to None.
        with_flow (bool): Read flow (training split). Defaults to True.
        **kwargs: ``FlowPairDataset`` arguments.
    """

    def __init__(self,
                 pass_style: Union[str, Sequence[str]] = 'clean',
                 split: str = 'training',
                 subsplit: str = 'trainval',
                 scenes: Union[Sequence[str], None] = None,
                 with_flow: bool = True,
                 **kwargs) -> None:
        passes = [pass_style] if isinstance(pass_style, str) else \
            list(pass_style)
        for name in passes:
            if name not in ('clean', 'final'):
                raise ValueError(f'Sintel: pass_style must be clean/final, '
                                 f'got {name}')
        if split not in ('training', 'test'):
            raise ValueError(f'Sintel: split must be training or test, got '
                             f'{split}')
        if subsplit not in ('trainval', 'train', 'val'):
            raise ValueError(f'Sintel: subsplit must be trainval/train/val, '
                             f'got {subsplit}')
        self.passes = passes
        self.split = split
        self.subsplit = subsplit
        self.scenes = list(scenes) if scenes is not None else None
        self.with_flow = with_flow and split == 'training'
        super().__init__(**kwargs)

    def _keep(self, scene: str) -> bool:
        if self.scenes is not None:
            return scene in self.scenes
        if self.subsplit == 'train':
            return scene in SINTEL_TRAIN_SCENES
        if self.subsplit == 'val':
            return scene not in SINTEL_TRAIN_SCENES
        return True

    def load_data_list(self) -> List[dict]:
        root = self._path(self.split)
        data_list = []
        for pass_name in self.passes:
            img_dir = self._require_dir(osp.join(root, pass_name))
            for scene in filter(self._keep, _scenes(img_dir)):
                data_list += self._scene_samples(root, pass_name, scene)
        self._log_count(data_list, f'({self.split}/{self.subsplit}, '
                        f'{"+".join(self.passes)})')
        return data_list

    def _frame_ids(self, root: str, pass_name: str, scene: str) -> List[int]:
        if self.with_flow:
            flow_dir = self._require_dir(osp.join(root, 'flow', scene))
            return sorted(
                int(name[6:10]) for name in os.listdir(flow_dir)
                if name.endswith('.flo'))
        frames = sorted(
            int(m.group(1)) for m in map(
                _FRAME.match, os.listdir(osp.join(root, pass_name, scene)))
            if m)
        return frames[:len(frames) - self.n_frames + 1]

    def _scene_samples(self, root: str, pass_name: str,
                       scene: str) -> List[dict]:
        samples = []
        for fid in self._frame_ids(root, pass_name, scene):
            info = dict(
                img_paths=[
                    osp.join(root, pass_name, scene,
                             f'frame_{fid + i:04d}.png')
                    for i in range(self.n_frames)
                ],
                submission_path=f'{pass_name}/{scene}/frame_{fid:04d}.flo',
                scene=scene)
            self._require_files(info['img_paths'], 'frame')
            if self.with_flow:
                if self.n_frames != 2:
                    raise ValueError('Sintel: flow is defined for 2 frames')
                info['flow_fw_path'] = osp.join(root, 'flow', scene,
                                                f'frame_{fid:04d}.flo')
                occ = osp.join(root, 'occlusions', scene,
                               f'frame_{fid:04d}.png')
                if osp.isdir(osp.join(root, 'occlusions')):
                    self._require_files([occ], 'occlusion map')
                    info['occ_path'] = occ
            samples.append(info)
        return samples


@DATASETS.register_module()
class SintelRaw(FlowPairDataset):
    """The raw Sintel movie cut into shots: ``<root>/<shot>/*.png``; every
    run of ``n_frames`` consecutive frames within a shot is a sample (ARFlow
    pre-training, no ground truth).

    Args:
        **kwargs: ``FlowPairDataset`` arguments.
    """

    def load_data_list(self) -> List[dict]:
        root = self._require_dir(self.data_root)
        data_list = []
        shots = _scenes(root)
        for shot in shots:
            frames = sorted(f for f in os.listdir(osp.join(root, shot))
                            if f.endswith('.png'))
            for start in range(len(frames) - self.n_frames + 1):
                data_list.append(
                    dict(img_paths=[
                        osp.join(root, shot, f)
                        for f in frames[start:start + self.n_frames]
                    ]))
        self._log_count(data_list, f'from {len(shots)} shots')
        return data_list
