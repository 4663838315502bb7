# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""SemaTree (ECCV 2020, arXiv 1912.09622) for MMSegmentation.

Registers ``SemanticNeuralTreeHead``, ``InverseFrequencyNLLLoss``,
``PascalPersonPartDataset``, the official input geometry
``PersonCenterAffine`` and ``SemaTreeSegmentor`` (prediction mapped back by
the inverse warp) in mmseg's registries.
"""
from .inverse_frequency_nll_loss import (InverseFrequencyNLLLoss,
                                         inverse_frequency_weights)
from .pascal_person_part import PascalPersonPartDataset
from .sampled_deform_conv import (SampledModulatedDeformConv2dPack,
                                  modulated_deform_conv2d_sampled)
from .person_affine import (PersonCenterAffine, inverse_warp_labels,
                            person_affine_matrix)
from .semantic_tree import SemanticTree, TreeNode
from .sematree_head import SemanticNeuralTreeHead
from .sematree_segmentor import SemaTreeSegmentor

__all__ = [
    'InverseFrequencyNLLLoss', 'inverse_frequency_weights',
    'PascalPersonPartDataset', 'SemanticTree', 'TreeNode',
    'SemanticNeuralTreeHead', 'PersonCenterAffine', 'inverse_warp_labels',
    'person_affine_matrix', 'SemaTreeSegmentor',
    'SampledModulatedDeformConv2dPack', 'modulated_deform_conv2d_sampled'
]
