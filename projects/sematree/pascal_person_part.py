# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""PASCAL-Person-Part dataset for MMSegmentation."""
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS


@DATASETS.register_module()
class PascalPersonPartDataset(BaseSegDataset):
    """PASCAL-Person-Part (Chen et al., CVPR 2014) with 7 classes, the
    human-parsing benchmark SemaTree reports on.

    Label maps are ``.png`` with ids 0-6 (background, head, torso, upper
    arms, lower arms, upper legs, lower legs) and 255 ignored.

    Args:
        img_suffix (str): Defaults to '.jpg'.
        seg_map_suffix (str): Defaults to '.png'.
        **kwargs: :class:`BaseSegDataset` arguments.
    """
    METAINFO = dict(
        classes=('Background', 'Head', 'Torso', 'Upper-arms', 'Lower-arms',
                 'Upper-legs', 'Lower-legs'),
        palette=[[0, 0, 0], [128, 0, 0], [255, 85, 0], [0, 128, 0],
                 [0, 0, 255], [85, 255, 170], [170, 0, 255]])

    def __init__(self,
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)
