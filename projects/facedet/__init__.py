# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Face-detection benchmarks shared by the face detectors (mmdet registry).

Datasets and metrics in the formats and protocols the face-detection papers
report: WIDER FACE (official text annotations; official Easy/Medium/Hard AP
from the .mat ground truth), iCartoonFace (CSV, AP at IoU 0.5).
"""
from .datasets import ICartoonFaceDataset, WiderFaceTxtDataset
from .evaluation import ICartoonFaceMetric, WiderFaceMetric

__all__ = [
    'ICartoonFaceDataset', 'ICartoonFaceMetric', 'WiderFaceMetric',
    'WiderFaceTxtDataset'
]
