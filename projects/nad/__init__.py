# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""NAD: Architecture Disentanglement for Deep Neural Networks
(arXiv 2003.13268, ICCV 2021) as analysis of any MMPretrain classifier.

Importing this package registers ``ChannelGate``, ``NADGates`` and
``NADPathLoss`` (mmpretrain MODELS). The search (:class:`NADPathSearch`),
the hit rate (:mod:`projects.nad.hit_rate`) and the sub-architecture
similarity (:mod:`projects.nad.path_similarity`) run from
``tools/analysis/nad_*.py``.
"""
from .channel_gate import GATE_MODES, ChannelGate
from .class_subset import (class_indices, class_subset, dataset_labels,
                           indices_by_class)
from .gate_presets import (GATE_PRESETS, OFFICIAL_BETAS, PRESET_CHANNELS,
                           official_beta)
from .hit_rate import (activation_map, layer_hits, make_mosaic, quadrant_hit,
                       resize_image, sample_mosaics, top_pixels)
from .nad_gates import NADGates, resolve_positions
from .path_loss import NADPathLoss, nad_path_loss
from .path_search import NADPathSearch, derived_seed
from .path_similarity import (jaccard, layer_jaccard,
                              misclassification_analysis, most_similar,
                              path_similarity, prediction_overlap)
from .path_store import (binarize, epoch_file, load_epoch, load_paths,
                         saved_epochs, searched_classes)
from .path_update import normalized_gradient_step

__all__ = [
    'GATE_MODES', 'ChannelGate', 'NADGates', 'resolve_positions',
    'GATE_PRESETS', 'PRESET_CHANNELS', 'OFFICIAL_BETAS', 'official_beta',
    'nad_path_loss', 'NADPathLoss', 'normalized_gradient_step',
    'NADPathSearch', 'derived_seed', 'class_indices', 'class_subset',
    'dataset_labels', 'indices_by_class', 'epoch_file', 'load_epoch',
    'load_paths', 'saved_epochs', 'searched_classes', 'binarize',
    'sample_mosaics', 'make_mosaic', 'resize_image', 'activation_map',
    'top_pixels', 'quadrant_hit', 'layer_hits', 'jaccard', 'layer_jaccard',
    'path_similarity', 'most_similar', 'misclassification_analysis',
    'prediction_overlap'
]
