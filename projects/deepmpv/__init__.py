# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DeepMPV+ (arXiv 2003.13266): palmprint verification on smartphones.

Detection in MMDetection's registries: the tiny-YOLOv3 ``DarknetTiny``
backbone and ``TinyYOLOV3Neck``, the MPD ``MPDGapDataset`` (VOC) and
``MPDPointDataset`` (points -> boxes), ``PalmPointMetric``. ROI extraction
as plain functions (:mod:`projects.deepmpv.roi`). Matching in MMPretrain's
registries: ``MPDPalmDataset``, ``MPDVerificationDataset``,
``PalmVerificationMetric``, plus :mod:`projects.facerec` (``MobileFaceNet``,
``FaceRecognizer``). End to end (:mod:`projects.deepmpv.apis`):
``PalmVerifier`` and ``evaluate_photos``.
"""
import projects.engine  # noqa: F401  (RandomStateCheckpointHook)
import projects.facerec  # noqa: F401  (registers MobileFaceNet, ...)

from .datasets import (MPDGapDataset, MPDPalmDataset, MPDPointDataset,
                       MPDVerificationDataset, parse_mpd_name)
from .evaluation import PalmPointMetric, PalmVerificationMetric
from .models import DarknetTiny, TinyYOLOV3Neck
from .roi import PalmROIExtractor

__all__ = [
    'DarknetTiny', 'MPDGapDataset', 'MPDPalmDataset', 'MPDPointDataset',
    'MPDVerificationDataset', 'PalmPointMetric', 'PalmROIExtractor',
    'PalmVerificationMetric', 'TinyYOLOV3Neck', 'parse_mpd_name'
]
