# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Small mmpretrain classifiers the NAD tests run on."""
import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.nad  # noqa: F401


def tiny_classifier(num_classes: int = 4, seed: int = 0) -> torch.nn.Module:
    """A 2-stage ResNet-18 of 8/16 channels, in eval mode."""
    init_default_scope('mmpretrain')
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(type='ImageClassifier',
             backbone=dict(type='ResNet',
                           depth=18,
                           stem_channels=8,
                           base_channels=8,
                           num_stages=2,
                           strides=(1, 2),
                           dilations=(1, 1),
                           out_indices=(1, )),
             neck=dict(type='GlobalAveragePooling'),
             head=dict(type='LinearClsHead',
                       num_classes=num_classes,
                       in_channels=16),
             data_preprocessor=dict(num_classes=num_classes,
                                    mean=[123.675, 116.28, 103.53],
                                    std=[58.395, 57.12, 57.375],
                                    to_rgb=True)))
    return model.eval()


TINY_POSITIONS = [
    'backbone.maxpool', 'backbone.layer1.0', 'backbone.layer1.1',
    'backbone.layer2.0', 'backbone.layer2.1'
]
TINY_CHANNELS = [8, 8, 8, 16, 16]
