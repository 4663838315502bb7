# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""FDDB in its fold format: ``FDDB-fold-XX-ellipseList.txt``."""
import os.path as osp
from collections import OrderedDict
from typing import Dict, List

import numpy as np
from mmdet.registry import DATASETS
from mmengine.fileio import get_local_path
from PIL import Image

from projects.faceeval.text_fields import finite_floats
from .face_base import FaceDetBaseDataset


def read_fddb_ellipses(path: str) -> Dict[str, np.ndarray]:
    """Read an FDDB ellipse list.

    Blocks of lines: image name (``2002/08/11/big/img_591``), number of
    faces ``n``, then ``n`` lines ``major_r minor_r angle cx cy 1``
    (angle in radians).

    Returns:
        dict[str, np.ndarray]: Per image name, (n, 5) ellipses
        ``major_r, minor_r, angle, cx, cy``, in file order.

    Raises:
        ValueError: Naming the file and line of a bad count or face line.
    """
    with get_local_path(path) as local_path, open(local_path) as f:
        lines = [(no, line.strip()) for no, line in enumerate(f, start=1)
                 if line.strip()]
    faces: Dict[str, np.ndarray] = OrderedDict()
    i = 0
    while i < len(lines):
        name = lines[i][1]
        if i + 1 >= len(lines) or not lines[i + 1][1].isdigit():
            no = lines[min(i + 1, len(lines) - 1)][0]
            raise ValueError(f'{path}, line {no}: expected the face count '
                             f'of {name}')
        count = int(lines[i + 1][1])
        rows = lines[i + 2:i + 2 + count]
        if len(rows) < count:
            raise ValueError(f'{path}, line {lines[i + 1][0]}: {name} '
                             f'announces {count} faces, the file ends')
        faces[name] = np.array([_ellipse(path, no, row) for no, row in rows],
                               dtype=np.float64).reshape(-1, 5)
        i += 2 + count
    return faces


def _ellipse(path: str, line_no: int, row: str) -> List[float]:
    values = row.split()
    if len(values) < 5:
        raise ValueError(f'{path}, line {line_no}: expected "major_r minor_r '
                         f'angle cx cy 1", got {row!r}')
    ellipse = finite_floats(values[:5], f'{path}, line {line_no}')
    if ellipse[0] <= 0 or ellipse[1] <= 0:
        raise ValueError(f'{path}, line {line_no}: ellipse radii must be > 0, '
                         f'got {row!r}')
    return ellipse


def ellipse_to_box(ellipses: np.ndarray) -> np.ndarray:
    """Axis-aligned bounding boxes of rotated ellipses.

    Half extents :math:`h_x = \\sqrt{a^2\\cos^2\\theta + b^2\\sin^2\\theta}`,
    :math:`h_y = \\sqrt{a^2\\sin^2\\theta + b^2\\cos^2\\theta}` around the
    centre.

    Args:
        ellipses (np.ndarray): (n, 5) ``major_r, minor_r, angle, cx, cy``.

    Returns:
        np.ndarray: (n, 4) ``x1, y1, x2, y2``.
    """
    a, b, theta, cx, cy = np.asarray(ellipses, np.float64).reshape(-1, 5).T
    hx = np.sqrt((a * np.cos(theta))**2 + (b * np.sin(theta))**2)
    hy = np.sqrt((a * np.sin(theta))**2 + (b * np.cos(theta))**2)
    return np.stack([cx - hx, cy - hy, cx + hx, cy + hy], axis=1)


@DATASETS.register_module()
class FDDBDataset(FaceDetBaseDataset):
    """FDDB face detection dataset (`FDDB: A Benchmark for Face Detection
    in Unconstrained Settings <http://vis-www.cs.umass.edu/fddb/>`_).

    ``ann_file`` is one fold's ``FDDB-fold-XX-ellipseList.txt``; images are
    ``<data_prefix['img']>/<name>.jpg``. Each face becomes the bounding box
    of its ellipse (:func:`ellipse_to_box`, clipped to the image) and keeps
    the ellipse under ``'ellipse'`` for :class:`FDDBMetric`. Concatenate
    folds with ``ConcatDataset``.

    Args:
        **kwargs: Passed to :class:`mmdet.datasets.BaseDetDataset`.
    """

    METAINFO = dict(classes=('face', ), palette=[(0, 255, 0)])

    def load_data_list(self) -> List[dict]:
        """Parse the ellipse list into data infos."""
        return [
            self._data_info(name, ellipses)
            for name, ellipses in read_fddb_ellipses(self.ann_file).items()
        ]

    def _data_info(self, name: str, ellipses: np.ndarray) -> dict:
        img_path = osp.join(self.data_prefix.get('img', ''), name + '.jpg')
        with get_local_path(img_path) as local_path:
            width, height = Image.open(local_path).size
        boxes = ellipse_to_box(ellipses)
        boxes[:, 0::2] = boxes[:, 0::2].clip(0, width)
        boxes[:, 1::2] = boxes[:, 1::2].clip(0, height)
        instances = [
            dict(
                bbox=box.tolist(),
                bbox_label=0,
                ignore_flag=0,
                ellipse=ellipse.tolist())
            for box, ellipse in zip(boxes, ellipses)
        ]
        return dict(
            img_path=img_path,
            img_id=name,
            width=width,
            height=height,
            instances=instances)
