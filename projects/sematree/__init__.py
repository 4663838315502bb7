# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""SemaTree (ECCV 2020, arXiv 1912.09622) for MMSegmentation.

Registers ``SemanticNeuralTreeHead``, ``InverseFrequencyNLLLoss`` and
``PascalPersonPartDataset`` in mmseg's registries.
"""
from .inverse_frequency_nll_loss import (InverseFrequencyNLLLoss,
                                         inverse_frequency_weights)
from .pascal_person_part import PascalPersonPartDataset
from .semantic_tree import SemanticTree, TreeNode
from .sematree_head import SemanticNeuralTreeHead

__all__ = [
    'InverseFrequencyNLLLoss', 'inverse_frequency_weights',
    'PascalPersonPartDataset', 'SemanticTree', 'TreeNode',
    'SemanticNeuralTreeHead'
]
