# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Face-detection metrics registered in mmdet's ``METRICS``; the protocols
they score with are in :mod:`projects.faceeval` (pure NumPy)."""
from .fddb_metric import FDDBMetric, plot_fddb_roc
from .fddb_roc import FDDBRoc, ellipse_rect_overlaps, fddb_roc
from .icartoonface_metric import ICartoonFaceMetric
from .widerface_metric import WiderFaceMetric

__all__ = [
    'FDDBMetric', 'FDDBRoc', 'ICartoonFaceMetric', 'WiderFaceMetric',
    'ellipse_rect_overlaps', 'fddb_roc', 'plot_fddb_roc'
]
