# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""A tiny peer-classifier config shared by the DGD tests."""
import copy
from typing import List, Tuple

import torch
from mmpretrain.structures import DataSample

CLASSIFIER = dict(type='ImageClassifier',
                  backbone=dict(type='CifarResNet',
                                depth=20,
                                stem_channels=2,
                                base_channels=2),
                  neck=dict(type='GlobalAveragePooling'),
                  head=dict(type='LinearClsHead',
                            num_classes=3,
                            in_channels=8,
                            loss=dict(type='CrossEntropyLoss',
                                      loss_weight=1.0)))


def peer_cfg(**kwargs) -> dict:
    cfg = dict(type='DGDPeerClassifier', classifier=copy.deepcopy(CLASSIFIER))
    cfg.update(kwargs)
    return cfg


def batch(n: int = 4, seed: int = 0) -> Tuple[torch.Tensor, List[DataSample]]:
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, 3, 8, 8, generator=g)
    samples = [DataSample().set_gt_label(i % 3) for i in range(n)]
    return inputs, samples


KD = dict(type='PeerKDLoss', temperature=2.0)
