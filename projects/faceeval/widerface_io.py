# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""WIDER FACE files: the official ground-truth .mat files and the
prediction folder layout (``<event>/<image>.txt``).

A prediction file holds the image name, the number of boxes, then one
``x y w h score`` line per box::

    0_Parade_marchingband_1_465
    2
    345.0 211.0 4.0 4.0 0.93
    331.0 126.0 3.0 3.0 0.41
"""
import os
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from .text_fields import finite_floats

SETTINGS = ('easy', 'medium', 'hard')
# the fields read from wider_face_val.mat (it also holds six label lists)
_GT_FIELDS = ['event_list', 'file_list', 'face_bbx_list']


class WiderFaceGroundTruth(NamedTuple):
    """Ground truth of the official .mat files, one entry per image.

    Attributes:
        events (list[str]): Event folder of each image (``'0--Parade'``).
        names (list[str]): Image name without extension.
        boxes (list[np.ndarray]): ``x, y, w, h`` of every face, (k, 4).
        keep (dict[str, list[np.ndarray]]): Per setting, per image the
            boolean mask of faces kept in that setting.
    """

    events: List[str]
    names: List[str]
    boxes: List[np.ndarray]
    keep: Dict[str, List[np.ndarray]]


def _mat_field(mat: dict, field: str, path: str) -> np.ndarray:
    if field not in mat:
        raise ValueError(f'{path}: field "{field}" missing; expected the '
                         'official WIDER FACE .mat layout')
    value = mat[field]
    if value.ndim != 2 or value.shape[1] != 1:
        raise ValueError(f'{path}: field "{field}" has shape {value.shape}, '
                         'expected (num_events, 1)')
    return value


def _keep_masks(gt_list: np.ndarray, boxes: List[List[np.ndarray]],
                path: str) -> List[np.ndarray]:
    if len(gt_list) != len(boxes):
        raise ValueError(f'{path}: gt_list has {len(gt_list)} events, '
                         f'wider_face_val.mat has {len(boxes)}')
    masks = []
    for e, (cell, event_boxes) in enumerate(zip(gt_list, boxes)):
        if len(cell[0]) != len(event_boxes):
            raise ValueError(f'{path}: gt_list event {e} has {len(cell[0])} '
                             f'images, expected {len(event_boxes)}')
        for i, (idx, img_boxes) in enumerate(zip(cell[0], event_boxes)):
            idx = np.asarray(idx[0], dtype=np.int64).reshape(-1)
            if idx.size and (idx.min() < 1 or idx.max() > len(img_boxes)):
                raise ValueError(
                    f'{path}: gt_list event {e} image {i}: index out of '
                    f'1..{len(img_boxes)}')
            mask = np.zeros(len(img_boxes), bool)
            mask[idx - 1] = True
            masks.append(mask)
    return masks


def load_widerface_gt(
        gt_dir: str,
        settings: Sequence[str] = SETTINGS) -> WiderFaceGroundTruth:
    """Read ``wider_face_val.mat`` and ``wider_<setting>_val.mat``.

    Args:
        gt_dir (str): Folder with the official .mat files.
        settings (Sequence[str]): Settings to read. Defaults to
            ``('easy', 'medium', 'hard')``.

    Returns:
        WiderFaceGroundTruth: Boxes and keep masks per image.
    """
    from scipy.io import loadmat
    path = osp.join(gt_dir, 'wider_face_val.mat')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} not found (official WIDER FACE '
                                'ground truth)')
    mat = loadmat(path, variable_names=_GT_FIELDS)
    events = _mat_field(mat, 'event_list', path)
    files = _mat_field(mat, 'file_list', path)
    faces = _mat_field(mat, 'face_bbx_list', path)
    if not len(events) == len(files) == len(faces):
        raise ValueError(f'{path}: event_list, file_list and face_bbx_list '
                         'have different numbers of events')
    names, event_names, boxes = [], [], []
    for e, (event, file_cell, face_cell) in enumerate(
            zip(events, files, faces)):
        if len(file_cell[0]) != len(face_cell[0]):
            raise ValueError(f'{path}: event {e} lists {len(file_cell[0])} '
                             f'files but {len(face_cell[0])} box sets')
        event_boxes = []
        for name, box in zip(file_cell[0], face_cell[0]):
            box = np.asarray(box[0], dtype=np.float64).reshape(-1, 4)
            event_boxes.append(box)
            names.append(str(name[0][0]))
            event_names.append(str(event[0][0]))
        boxes.append(event_boxes)
    keep = {}
    for setting in settings:
        setting_path = osp.join(gt_dir, f'wider_{setting}_val.mat')
        if not osp.isfile(setting_path):
            raise FileNotFoundError(f'{setting_path} not found')
        gt_list = _mat_field(
            loadmat(setting_path, variable_names=['gt_list']), 'gt_list',
            setting_path)
        keep[setting] = _keep_masks(gt_list, boxes, setting_path)
    return WiderFaceGroundTruth(event_names, names,
                                [b for event in boxes for b in event], keep)


def _parse_numbers(path: str, line_no: int, line: str) -> List[float]:
    fields = line.split()
    if len(fields) < 5:
        raise ValueError(f'{path}, line {line_no}: expected "x y w h score",'
                         f' got {line.strip()!r}')
    return finite_floats(fields[:5], f'{path}, line {line_no}')


def _parse_boxes(path: str, rows: List[Tuple[int, str]]) -> np.ndarray:
    """``(n, 5)`` boxes of the numbered lines: the first five fields of each,
    converted in one call; a line that does not parse is found and named
    by :func:`_parse_numbers`."""
    fields = [line.split()[:5] for _, line in rows]
    try:
        boxes = np.array(fields, dtype=np.float64)
        if boxes.shape == (len(rows), 5) and np.isfinite(boxes).all():
            return boxes
    except ValueError:  # lines of different lengths or a non-numeric field
        pass
    return np.array([_parse_numbers(path, no, line) for no, line in rows],
                    dtype=np.float64).reshape(-1, 5)


def read_prediction_file(path: str) -> Tuple[str, np.ndarray]:
    """Read one prediction file.

    Returns:
        tuple[str, np.ndarray]: The image name (no folder, no extension)
        and the boxes, shape (n, 5): ``x, y, w, h, score``.
    """
    with open(path) as f:
        lines = f.read().splitlines()
    if len(lines) < 2:
        raise ValueError(f'{path}: expected an image name line and a count '
                         'line')
    try:
        count = int(lines[1].strip())
    except ValueError:
        raise ValueError(f'{path}, line 2: count {lines[1].strip()!r} is not '
                         'an integer') from None
    rows = [(no, line) for no, line in enumerate(lines[2:], start=3)
            if line.strip()]
    if count != len(rows) or count < 0:
        raise ValueError(f'{path}, line 2: count says {count} boxes, the '
                         f'file has {len(rows)}')
    boxes = _parse_boxes(path, rows)
    name = osp.splitext(lines[0].strip().replace('\\', '/').split('/')[-1])
    return name[0], boxes


def read_prediction_dir(
        pred_dir: str,
        gt: WiderFaceGroundTruth) -> Tuple[List[Optional[np.ndarray]], int]:
    """Predictions of every ground-truth image from a prediction folder.

    Returns:
        tuple[list[np.ndarray | None], int]: Boxes per ground-truth image
        (None where the file is missing) and the number of missing files.
    """
    if not osp.isdir(pred_dir):
        raise FileNotFoundError(f'{pred_dir} is not a directory')
    preds: List[Optional[np.ndarray]] = []
    for event, name in zip(gt.events, gt.names):
        path = osp.join(pred_dir, event, name + '.txt')
        preds.append(read_prediction_file(path)[1] if osp.isfile(path)
                     else None)
    return preds, sum(p is None for p in preds)


def write_prediction_file(pred_dir: str, event: str, name: str,
                          boxes: np.ndarray) -> str:
    """Write ``<pred_dir>/<event>/<name>.txt`` in the official layout.

    Args:
        boxes (np.ndarray): Shape (n, 5): ``x, y, w, h, score``.

    Returns:
        str: The written path.
    """
    folder = osp.join(pred_dir, event)
    os.makedirs(folder, exist_ok=True)
    path = osp.join(folder, name + '.txt')
    lines = [name, str(len(boxes))]
    lines += [' '.join(f'{v:.3f}' for v in box[:4]) + f' {box[4]:.6f}'
              for box in boxes]
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path
