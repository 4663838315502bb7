# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Face-detection evaluation in pure NumPy: the WIDER FACE files and
protocol, first-hit face matching and the VOC area AP.

Importing it imports neither torch nor any OpenMMLab toolbox, so that
``tools/eval_widerface.py`` starts in a fraction of a second. The metrics
and datasets registered in mmdet's registries (``projects.facedet``) are
built on it.
"""
from .face_matching import BestFaceMatches, first_hits, match_best_faces
from .voc_ap import voc_area_ap
from .widerface_io import (SETTINGS, WiderFaceGroundTruth, load_widerface_gt,
                           read_prediction_dir, read_prediction_file,
                           write_prediction_file)
from .widerface_protocol import (PRCurve, normalize_scores, widerface_iou,
                                 widerface_pr_curves)

__all__ = [
    'BestFaceMatches', 'PRCurve', 'SETTINGS', 'WiderFaceGroundTruth',
    'first_hits', 'load_widerface_gt', 'match_best_faces',
    'normalize_scores', 'read_prediction_dir', 'read_prediction_file',
    'voc_area_ap', 'widerface_iou', 'widerface_pr_curves',
    'write_prediction_file'
]
