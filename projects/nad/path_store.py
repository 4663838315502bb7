# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Where NAD keeps its gate parameters: one file per class and epoch.

``<work_dir>/class_<c:05d>/epoch_<e:03d>.pth`` holds a dict with ``masks``
(position -> m of shape (1, C, 1, 1)), ``positions``, ``class``,
``epoch``, ``settings`` (the search settings) and ``stats`` (the epoch's
losses). Epoch 0 is the initial draw, epoch e the gates after e epochs (the
official ``net_iter{e:03d}.pth``).
"""
import os
import os.path as osp
import re
from typing import Dict, List, Optional

import torch


def class_dir(work_dir: str, label: int) -> str:
    """The folder of one class's files."""
    return osp.join(work_dir, f'class_{int(label):05d}')


def epoch_file(work_dir: str, label: int, epoch: int) -> str:
    """The file of one class and epoch."""
    return osp.join(class_dir(work_dir, label), f'epoch_{int(epoch):03d}.pth')


def save_epoch(path: str, record: dict) -> None:
    """Write atomically: an interrupted write leaves no partial file."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    torch.save(record, tmp)
    os.replace(tmp, path)


def load_epoch(path: str) -> dict:
    """Read one file (clear error when it is missing)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'NAD path file {path} does not exist')
    return torch.load(path, map_location='cpu', weights_only=False)


def saved_epochs(work_dir: str, label: int) -> List[int]:
    """Epochs saved for a class, ascending."""
    folder = class_dir(work_dir, label)
    if not osp.isdir(folder):
        return []
    found = (re.fullmatch(r'epoch_(\d{3})\.pth', name)
             for name in os.listdir(folder))
    return sorted(int(m.group(1)) for m in found if m)


def searched_classes(work_dir: str, epoch: int) -> List[int]:
    """Classes with a file for ``epoch``, ascending."""
    if not osp.isdir(work_dir):
        raise FileNotFoundError(f'NAD work dir {work_dir} does not exist')
    classes = []
    for name in sorted(os.listdir(work_dir)):
        match = re.fullmatch(r'class_(\d{5})', name)
        if match and osp.isfile(
                epoch_file(work_dir, int(match.group(1)), epoch)):
            classes.append(int(match.group(1)))
    return classes


def load_paths(
        work_dir: str,
        epoch: int,
        classes: Optional[List[int]] = None
) -> Dict[int, Dict[str, torch.Tensor]]:
    """Class -> its gate parameters m (position -> tensor) at ``epoch``."""
    if classes is None:
        classes = searched_classes(work_dir, epoch)
    return {
        c: load_epoch(epoch_file(work_dir, c, epoch))['masks']
        for c in classes
    }


def binarize(masks: Dict[str, torch.Tensor]) -> List[torch.Tensor]:
    """The binary path, ``sigmoid(m) > 0.5``, one (C,) tensor per gate."""
    return [torch.sigmoid(m.float()).flatten() > 0.5 for m in masks.values()]
