# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DDL (ECCV 2020, arXiv 2002.03662) for MMPretrain.

Registers ``DistributionDistillationLoss``, the ``DDLFaceDataset`` easy/hard
split, the ``DDLFourStreamSampler`` and the ``DDLFaceRecognizer`` training
model, and imports the face-recognition room it builds on
(:mod:`projects.curricularface`, :mod:`projects.facerec`).
"""
import projects.curricularface  # noqa: F401  (registers the shared modules)

from .ddl_face_dataset import DDLFaceDataset
from .ddl_face_recognizer import DDLFaceRecognizer
from .ddl_four_stream_sampler import DDLFourStreamSampler
from .ddl_loss import DistributionDistillationLoss

__all__ = [
    'DDLFaceDataset', 'DDLFaceRecognizer', 'DDLFourStreamSampler',
    'DistributionDistillationLoss'
]
