# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Face-detection benchmarks shared by the face detectors (mmdet registry).

Datasets and metrics in the formats and protocols the face-detection papers
report: WIDER FACE (official text annotations; official Easy/Medium/Hard AP
from the .mat ground truth), iCartoonFace (CSV, AP at IoU 0.5), FDDB
(ellipse folds, discrete and continuous ROC).
"""
from .datasets import FDDBDataset, ICartoonFaceDataset, WiderFaceTxtDataset
from .evaluation import FDDBMetric, ICartoonFaceMetric, WiderFaceMetric

__all__ = [
    'FDDBDataset', 'FDDBMetric', 'ICartoonFaceDataset', 'ICartoonFaceMetric',
    'WiderFaceMetric', 'WiderFaceTxtDataset'
]
