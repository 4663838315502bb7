# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MPDGapDataset: MPD's VOC-format finger-gap detection set."""
import xml.etree.ElementTree as ET
from typing import List, Optional, Union

from mmdet.datasets import XMLDataset
from mmdet.registry import DATASETS
from mmengine.logging import print_log

PALM_CLASSES = ('finger_gap', 'palm_center')


@DATASETS.register_module()
class MPDGapDataset(XMLDataset):
    """The finger-gap detection set of MPD (release folder
    ``1-finger_gap_point_detection``, VOC format) of `Towards Palmprint
    Verification on Smartphones <https://arxiv.org/abs/2003.13266>`_, with
    the two classes of the DeepMPV+ detector, finger gap and palm centre.

    ``ann_file`` lists image ids; images are
    ``{sub_data_root}/{img_subdir}/{id}.jpg`` and annotations
    ``{sub_data_root}/{ann_subdir}/{id}.xml``. Unlike ``XMLDataset``,
    objects of other classes are counted and logged, and ``class_map``
    renames classes (e.g. the script's ``double-finger-gap`` /
    ``palm-center``).

    Args:
        img_subdir (str): Image folder. Defaults to ``'original'``.
        ann_subdir (str): Annotation folder. Defaults to
            ``'Annotations'``.
        class_map (dict, optional): Annotation name -> class name.
            Defaults to the script's names.
        **kwargs: ``XMLDataset`` arguments.
    """

    METAINFO = dict(classes=PALM_CLASSES,
                    palette=[(220, 20, 60), (0, 160, 80)])

    def __init__(self,
                 img_subdir: str = 'original',
                 ann_subdir: str = 'Annotations',
                 class_map: Optional[dict] = None,
                 **kwargs) -> None:
        self.class_map = dict(class_map) if class_map is not None else {
            'double-finger-gap': 'finger_gap',
            'palm-center': 'palm_center'
        }
        self.num_unknown_objects = 0
        self._xml_path = ''
        super().__init__(img_subdir=img_subdir, ann_subdir=ann_subdir,
                         **kwargs)

    def _parse_instance_info(self, raw_ann_info: ET.ElementTree,
                             minus_one: bool = True) -> List[dict]:
        """Rename the classes by ``class_map``, count those outside the
        classes, reject objects without name or box, then parse as VOC."""
        classes = self._metainfo['classes']
        for obj in raw_ann_info.findall('object'):
            node = obj.find('name')
            if node is None or obj.find('bndbox') is None:
                raise ValueError(f'MPDGapDataset: {self._xml_path}: an '
                                 '<object> without <name> or <bndbox>')
            node.text = self.class_map.get(node.text, node.text)
            self.num_unknown_objects += node.text not in classes
        return super()._parse_instance_info(raw_ann_info, minus_one)

    def parse_data_info(self, img_info: dict) -> Union[dict, List[dict]]:
        """Parse one image; remembers its XML path for error messages."""
        self._xml_path = img_info['xml_path']
        return super().parse_data_info(img_info)

    def load_data_list(self) -> List[dict]:
        """Load and log the counts (images, objects, unknown classes)."""
        data_list = super().load_data_list()
        num = sum(len(d['instances']) for d in data_list)
        print_log(
            f'MPDGapDataset: {len(data_list)} images, {num} objects from '
            f'{self.ann_file}; {self.num_unknown_objects} objects of classes '
            f"other than {self._metainfo['classes']} skipped",
            logger='current',
            level=30 if self.num_unknown_objects else 20)
        return data_list
