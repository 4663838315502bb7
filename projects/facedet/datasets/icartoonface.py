# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The iCartoonFace detection set in its published CSV format."""
import csv
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional

from mmdet.registry import DATASETS
from mmengine.fileio import get_local_path, list_from_file
from mmengine.logging import print_log
from PIL import Image

from projects.faceeval.text_fields import finite_floats
from .face_base import FaceDetBaseDataset


@DATASETS.register_module()
class ICartoonFaceDataset(FaceDetBaseDataset):
    """iCartoonFace detection dataset (`iCartoonFace: A Benchmark of Cartoon
    Person Recognition <https://arxiv.org/abs/1907.13394>`_).

    The annotation file is the challenge's CSV: one row per face,
    ``image_name,x1,y1,x2,y2,label`` in pixels (``x2``/``y2`` exclusive
    corners, no header). Images are read from ``data_prefix['img']``.
    The CSV cannot list an image without faces, so ``img_list`` may name a
    text file with one image name per line; its images without a row are
    kept as background images.

    Rows are checked: a wrong column count, a non-numeric coordinate or an
    inverted box (``x2 < x1`` or ``y2 < y1``) is an error naming the file
    and line; a zero-size box (``x2 == x1`` or ``y2 == y1``) becomes an
    ignore box, and the number of such boxes is logged.

    Args:
        img_list (str, optional): File listing every image of the split,
            background images included. Defaults to None.
        **kwargs: Passed to :class:`mmdet.datasets.BaseDetDataset`
            (``ann_file``, ``data_root``, ``data_prefix``, ``pipeline``,
            ``filter_cfg``, ...).
    """

    METAINFO = dict(classes=('face', ), palette=[(0, 255, 0)])

    def __init__(self, *args, img_list: Optional[str] = None,
                 **kwargs) -> None:
        self.img_list = img_list
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the CSV (and the optional image list) into data infos."""
        faces = self._read_rows(self.ann_file)
        if self.img_list is not None:
            img_list = self.img_list
            if self.data_root and not osp.isabs(img_list):
                img_list = osp.join(self.data_root, img_list)
            for name in list_from_file(img_list):
                if name.strip():
                    faces.setdefault(name.strip(), [])
        data_list = [
            self._data_info(name, boxes) for name, boxes in faces.items()
        ]
        num_ignored = sum(
            inst['ignore_flag'] for info in data_list
            for inst in info['instances'])
        if num_ignored:
            print_log(
                f'{self.ann_file}: {num_ignored} zero-size boxes kept as '
                'ignore boxes', logger='current')
        return data_list

    @staticmethod
    def _read_rows(ann_file: str) -> Dict[str, List[List[float]]]:
        faces: Dict[str, List[List[float]]] = OrderedDict()
        with get_local_path(ann_file) as local_path, \
                open(local_path, newline='', encoding='utf-8') as f:
            for line_no, row in enumerate(csv.reader(f), start=1):
                if not row or not ''.join(row).strip():
                    continue
                if len(row) != 6:
                    raise ValueError(
                        f'{ann_file}, line {line_no}: expected 6 columns '
                        f'(image_name,x1,y1,x2,y2,label), got {len(row)}')
                box = finite_floats(row[1:5], f'{ann_file}, line {line_no}',
                                    'box')
                if box[2] < box[0] or box[3] < box[1]:
                    raise ValueError(
                        f'{ann_file}, line {line_no}: inverted box {box} '
                        '(x2 < x1 or y2 < y1)')
                faces.setdefault(row[0].strip(), []).append(box)
        return faces

    def _data_info(self, name: str, boxes: List[List[float]]) -> dict:
        img_path = osp.join(self.data_prefix.get('img', ''), name)
        with get_local_path(img_path) as local_path:
            width, height = Image.open(local_path).size
        instances = []
        for x1, y1, x2, y2 in boxes:
            instances.append(
                dict(
                    bbox=[x1, y1, x2, y2],
                    bbox_label=0,
                    ignore_flag=int(x2 <= x1 or y2 <= y1)))
        return dict(
            img_path=img_path,
            img_id=name,
            width=width,
            height=height,
            instances=instances)
