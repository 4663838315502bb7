# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .icartoonface import ICartoonFaceDataset

__all__ = ['ICartoonFaceDataset']
