# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Face-detection benchmarks shared by the face detectors (mmdet registry).

Datasets and metrics in the formats and protocols the face-detection papers
report: iCartoonFace (CSV, AP at IoU 0.5).
"""
from .datasets import ICartoonFaceDataset
from .evaluation import ICartoonFaceMetric

__all__ = ['ICartoonFaceDataset', 'ICartoonFaceMetric']
