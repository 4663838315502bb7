# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ASFD: Automatic and Scalable Face Detector (arXiv 2003.11228) for
MMDetection.

Registers the Auto-FEM search space (``FEMZeroOp``,
``PartialChannelMixedOp``, ``AutoFEMSearch``), the fixed ``AutoFEM`` neck,
the ``MarginCrossEntropyLoss`` of DRMC, the ``ASFD`` detector and the
``BilevelSearchLoop``, plus the shared face-detection datasets and metrics
of :mod:`projects.facedet` (through :mod:`projects.acfd`).
"""
from projects.facedet import ICartoonFaceDataset, ICartoonFaceMetric

from .asfd import ASFD, fuse_for_inference
from .auto_fem import AutoFEM
from .auto_fem_search import AutoFEMSearch
from .bilevel_search_loop import BilevelSearchLoop
from .candidate_ops import CANDIDATE_OPS, FEMZeroOp, build_candidate_op
from .default_genotype import DEFAULT_GENOTYPE
from .fem_blocks import ContextCell, MultiScaleFusion
from .genotype import (derive_genotype, load_genotype, save_genotype,
                       validate_genotype)
from .margin_cross_entropy_loss import MarginCrossEntropyLoss
from .mixed_op import PartialChannelMixedOp

__all__ = [
    'ASFD', 'AutoFEM', 'AutoFEMSearch', 'BilevelSearchLoop',
    'CANDIDATE_OPS', 'ContextCell', 'DEFAULT_GENOTYPE', 'FEMZeroOp',
    'ICartoonFaceDataset', 'ICartoonFaceMetric', 'MarginCrossEntropyLoss',
    'MultiScaleFusion', 'PartialChannelMixedOp', 'build_candidate_op',
    'derive_genotype', 'fuse_for_inference', 'load_genotype', 'save_genotype',
    'validate_genotype'
]
