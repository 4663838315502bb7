# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Shared face recognition for MMPretrain.

Registers the ``IResNet`` and ``MobileFaceNet`` backbones and the
``FaceRecognizer`` model, the
``FaceIdentityDataset`` / ``FaceBinPairDataset`` / ``LFWPairsDataset``
datasets, ``FaceVerificationMetric`` and the
``ShardedClassifierCheckpointHook`` of the class-sharded classifier, used by
:mod:`projects.curricularface`, :mod:`projects.ddl` and
:mod:`projects.deepmpv`.
"""
from .datasets import (FaceBinPairDataset, FaceIdentityDataset,
                       FacePairDataset, LFWPairsDataset)
from .engine import ShardedClassifierCheckpointHook
from .evaluation import FaceVerificationMetric
from .models import FaceRecognizer, IRBlock, IResNet, MobileFaceNet

__all__ = [
    'FaceBinPairDataset', 'FaceIdentityDataset', 'FacePairDataset',
    'FaceRecognizer', 'FaceVerificationMetric', 'IRBlock', 'IResNet',
    'LFWPairsDataset', 'MobileFaceNet', 'ShardedClassifierCheckpointHook'
]
