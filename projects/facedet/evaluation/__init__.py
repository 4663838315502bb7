# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .fddb_metric import FDDBMetric, plot_fddb_roc
from .fddb_roc import FDDBRoc, ellipse_rect_overlaps, fddb_roc
from .icartoonface_metric import ICartoonFaceMetric
from .widerface_io import (load_widerface_gt, read_prediction_dir,
                           read_prediction_file, write_prediction_file)
from .widerface_metric import WiderFaceMetric
from .widerface_protocol import PRCurve, widerface_iou, widerface_pr_curves

__all__ = [
    'FDDBMetric', 'FDDBRoc', 'ICartoonFaceMetric', 'PRCurve',
    'WiderFaceMetric', 'ellipse_rect_overlaps', 'fddb_roc',
    'load_widerface_gt', 'plot_fddb_roc', 'read_prediction_dir',
    'read_prediction_file', 'widerface_iou', 'widerface_pr_curves',
    'write_prediction_file'
]
