# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DGD: filter grafting + distillation (arXiv 2004.12311) for MMPretrain.

``weight_entropy`` and ``grafting_coefficient`` live in
:mod:`projects.dgd.grafting_math` (torch only). Importing this package
registers ``DGDPeerClassifier``, ``PeerKDLoss``, ``CifarResNet``,
``CifarMobileNetV2`` (mmpretrain MODELS), ``FilterGraftingHook`` (HOOKS),
``PeerSampler`` and ``PeerBatchSampler`` (DATA_SAMPLERS), ``DGDPeerWrapper`` (MODEL_WRAPPERS) and
``DGDOptimWrapperConstructor`` (OPTIM_WRAPPER_CONSTRUCTORS).
"""
from .grafting_math import grafting_coefficient, weight_entropy
from .state_dict_grafting import graft_state_dict, ring_graft, unpaired_convs
from .peer_checkpoint import all_peer_weights
from .cifar_mobilenet_v2 import CifarMobileNetV2
from .cifar_resnet import CifarResNet
from .grafting_hook import FilterGraftingHook
from .peer_classifier import DGDPeerClassifier
from .peer_kd_loss import PeerKDLoss, soft_target_kd_loss
from .peer_optim_constructor import DGDOptimWrapperConstructor, dlr_multipliers
from .peer_batch_sampler import PeerBatchSampler
from .peer_sampler import PeerSampler
from .peer_wrapper import DGDPeerWrapper

__all__ = [
    'weight_entropy', 'grafting_coefficient', 'graft_state_dict', 'ring_graft',
    'CifarResNet', 'CifarMobileNetV2', 'FilterGraftingHook',
    'DGDPeerClassifier', 'PeerKDLoss', 'soft_target_kd_loss', 'PeerSampler',
    'DGDPeerWrapper', 'DGDOptimWrapperConstructor', 'dlr_multipliers',
    'unpaired_convs', 'all_peer_weights', 'PeerBatchSampler'
]
