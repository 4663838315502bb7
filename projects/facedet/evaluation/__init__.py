# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .icartoonface_metric import ICartoonFaceMetric

__all__ = ['ICartoonFaceMetric']
