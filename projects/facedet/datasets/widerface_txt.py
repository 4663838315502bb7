# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""WIDER FACE in its official text annotation format."""
import os.path as osp
from typing import Iterator, List, Tuple

from mmdet.registry import DATASETS
from mmengine.fileio import get_local_path
from mmengine.logging import print_log
from PIL import Image

from projects.faceeval.text_fields import finite_floats
from .face_base import FaceDetBaseDataset

ATTRIBUTES = ('blur', 'expression', 'illumination', 'invalid', 'occlusion',
              'pose')


@DATASETS.register_module()
class WiderFaceTxtDataset(FaceDetBaseDataset):
    """WIDER FACE dataset (`WIDER FACE: A Face Detection Benchmark
    <https://arxiv.org/abs/1511.06523>`_) read from
    ``wider_face_{train,val}_bbx_gt.txt``.

    Each image is a block of lines: the image path relative to the
    ``images/`` folder (``0--Parade/0_Parade_marchingband_1_849.jpg``), the
    number of faces ``n``, then ``max(n, 1)`` lines
    ``x1 y1 w h blur expression illumination invalid occlusion pose``
    (an image without faces has one all-zero line). Boxes become
    ``[x1, y1, x1 + w, y1 + h]`` (the convention of the official
    evaluation) and every instance keeps its six attributes under
    ``'attributes'``. Invalid faces (``invalid == 1``) and boxes with
    ``w <= 0`` or ``h <= 0`` become ignore boxes; their numbers are logged.
    mmdet's own ``WIDERFaceDataset`` reads VOC XML conversions instead.

    Bad lines (missing count, non-integer count, fewer than 4 or
    non-numeric box values, truncated file) raise an error naming the file
    and line.

    Args:
        **kwargs: Passed to :class:`mmdet.datasets.BaseDetDataset`
            (``ann_file``, ``data_root``, ``data_prefix=dict(img=...)``
            pointing at the ``images/`` folder, ``pipeline``, ...).
    """

    METAINFO = dict(classes=('face', ), palette=[(0, 255, 0)])

    def load_data_list(self) -> List[dict]:
        """Parse the annotation file into data infos."""
        with get_local_path(self.ann_file) as local_path, \
                open(local_path, encoding='utf-8') as f:
            lines = [(no, line.strip())
                     for no, line in enumerate(f, start=1) if line.strip()]
        data_list = [
            self._data_info(name, faces)
            for name, faces in self._blocks(lines)
        ]
        invalid = sum(inst['attributes']['invalid'] == 1
                      for info in data_list for inst in info['instances'])
        ignored = sum(inst['ignore_flag'] for info in data_list
                      for inst in info['instances'])
        if ignored:
            print_log(
                f'{self.ann_file}: {ignored} faces kept as ignore boxes '
                f'({invalid} marked invalid, {ignored - invalid} more of '
                'zero or negative size)',
                logger='current')
        return data_list

    def _blocks(self, lines: List[Tuple[int, str]]
                ) -> Iterator[Tuple[str, List[List[float]]]]:
        """Yield ``(image path, face rows)`` per image block."""
        i = 0
        while i < len(lines):
            name = lines[i][1]
            if i + 1 >= len(lines):
                raise ValueError(f'{self.ann_file}, line {lines[i][0]}: '
                                 f'image {name} has no face count line')
            count_no, count = lines[i + 1]
            if not count.isdigit():
                raise ValueError(f'{self.ann_file}, line {count_no}: face '
                                 f'count {count!r} is not an integer')
            num_rows = max(int(count), 1)
            rows = lines[i + 2:i + 2 + num_rows]
            if len(rows) < num_rows:
                raise ValueError(f'{self.ann_file}, line {count_no}: {name} '
                                 f'announces {count} faces, the file ends '
                                 f'after {len(rows)}')
            faces = [self._parse_row(no, row) for no, row in rows]
            yield name, faces[:int(count)]
            i += 2 + num_rows

    def _parse_row(self, line_no: int, row: str) -> List[float]:
        values = row.split()
        if len(values) < 4:
            raise ValueError(
                f'{self.ann_file}, line {line_no}: expected '
                f'"x1 y1 w h {" ".join(ATTRIBUTES)}", got {row!r}')
        return finite_floats(values[:4 + len(ATTRIBUTES)],
                             f'{self.ann_file}, line {line_no}')

    def _data_info(self, name: str, faces: List[List[float]]) -> dict:
        img_path = osp.join(self.data_prefix.get('img', ''), name)
        with get_local_path(img_path) as local_path:
            width, height = Image.open(local_path).size
        instances = []
        for face in faces:
            x1, y1, w, h = face[:4]
            attributes = {
                key: int(face[4 + k]) if len(face) > 4 + k else 0
                for k, key in enumerate(ATTRIBUTES)
            }
            ignore = attributes['invalid'] == 1 or w <= 0 or h <= 0
            instances.append(
                dict(
                    bbox=[x1, y1, x1 + w, y1 + h],
                    bbox_label=0,
                    ignore_flag=int(ignore),
                    attributes=attributes))
        return dict(
            img_path=img_path,
            img_id=osp.splitext(name)[0],
            width=width,
            height=height,
            instances=instances)
