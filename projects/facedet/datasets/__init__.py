# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .fddb import FDDBDataset, ellipse_to_box, read_fddb_ellipses
from .icartoonface import ICartoonFaceDataset
from .widerface_txt import WiderFaceTxtDataset

__all__ = [
    'FDDBDataset', 'ICartoonFaceDataset', 'WiderFaceTxtDataset',
    'ellipse_to_box', 'read_fddb_ellipses'
]
