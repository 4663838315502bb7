# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .icartoonface import ICartoonFaceDataset
from .widerface_txt import WiderFaceTxtDataset

__all__ = ['ICartoonFaceDataset', 'WiderFaceTxtDataset']
