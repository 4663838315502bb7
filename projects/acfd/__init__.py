# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ACFD: Asymmetric Cartoon Face Detector (arXiv 2007.00899) for MMDetection.

Registers ``VoVNetV3`` (backbone), ``ABiFPN`` (neck), ``DynamicAnchorAssigner``
(DAM), ``MarginBinaryClassificationLoss`` (MBC), ``ACFDHead`` and ``ACFD``,
plus the shared face-detection datasets and metrics of
:mod:`projects.facedet`.
"""
from projects.facedet import ICartoonFaceDataset, ICartoonFaceMetric

from .abifpn import ABiFPN
from .acfd import ACFD
from .acfd_head import ACFDHead
from .asymmetric_conv import AsymmetricConvModule, switch_to_deploy
from .dynamic_anchor_assigner import DynamicAnchorAssigner
from .margin_binary_loss import MarginBinaryClassificationLoss
from .vovnetv3 import AOSAModule, VoVNetV3

__all__ = [
    'ABiFPN', 'ACFD', 'ACFDHead', 'AOSAModule', 'AsymmetricConvModule',
    'DynamicAnchorAssigner', 'ICartoonFaceDataset', 'ICartoonFaceMetric',
    'MarginBinaryClassificationLoss', 'VoVNetV3', 'switch_to_deploy'
]
