# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DGDOptimWrapperConstructor: the official "dlr" per peer, in one process
and per rank, on top of mmengine's paramwise options."""
import math

import pytest
import torch.nn as nn
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

import projects.dgd  # noqa: F401
from projects.dgd import DGDPeerClassifier, dlr_multipliers

from ._tiny import peer_cfg

SGD = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                          weight_decay=5e-4))


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmpretrain')


def _build(model, **paramwise):
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='DGDOptimWrapperConstructor',
             optim_wrapper_cfg=dict(SGD),
             paramwise_cfg=paramwise or None))
    return constructor(model)


def _lrs(model, optim_wrapper) -> dict:
    """lr of every named parameter."""
    lr_of = {
        id(p): group['lr']
        for group in optim_wrapper.optimizer.param_groups
        for p in group['params']
    }
    return {name: lr_of[id(p)] for name, p in model.named_parameters()}


def test_dlr_by_hand():
    # (1 + cos(pi (N - i) / N)) / 2, i = 1..N
    assert dlr_multipliers(1) == [1.0]
    assert dlr_multipliers(2) == pytest.approx([0.5, 1.0])
    assert dlr_multipliers(3) == pytest.approx([0.25, 0.75, 1.0])
    assert dlr_multipliers(4)[0] == pytest.approx(
        (1 + math.cos(math.pi * 3 / 4)) / 2)
    with pytest.raises(ValueError, match='num_peers'):
        dlr_multipliers(0)


def test_dlr_per_peer_in_one_process():
    model = MODELS.build(peer_cfg(num_peers=3))
    lrs = _lrs(model, _build(model))
    for name, lr in lrs.items():
        peer = int(name.split('.')[1])
        assert lr == pytest.approx(0.1 * [0.25, 0.75, 1.0][peer]), name
    # the other paramwise options still apply, times the peer's multiplier
    lrs = _lrs(model,
               _build(model,
                      peer_lr_mult=[1.0, 0.5, 2.0],
                      custom_keys={'head': dict(lr_mult=0.1)}))
    assert lrs['peers.1.head.fc.weight'] == pytest.approx(0.1 * 0.1 * 0.5)
    assert lrs['peers.2.backbone.conv1.weight'] == pytest.approx(0.2)


def test_one_peer_per_rank_takes_its_ranks_multiplier(monkeypatch):
    model = MODELS.build(peer_cfg(distributed_peers=True, peer_seed=0))
    monkeypatch.setattr(DGDPeerClassifier, 'peer_offset',
                        property(lambda self: 1))
    monkeypatch.setattr(DGDPeerClassifier, 'num_peers',
                        property(lambda self: 3))
    lrs = _lrs(model, _build(model))
    assert list(lrs.values()) == pytest.approx([0.1 * 0.75] * len(lrs))


def test_bad_settings_name_the_field():
    model = MODELS.build(peer_cfg(num_peers=2))
    with pytest.raises(ValueError, match='peer_lr_mult has 3 values'):
        _build(model, peer_lr_mult=[1, 1, 1])
    with pytest.raises(ValueError, match='peer_lr_mult'):
        _build(model, peer_lr_mult='cosine')
    with pytest.raises(TypeError, match='DGDPeerClassifier'):
        _build(nn.Linear(2, 2))
    with pytest.raises(ValueError, match='optimizer.lr'):
        OPTIM_WRAPPER_CONSTRUCTORS.build(
            dict(type='DGDOptimWrapperConstructor',
                 optim_wrapper_cfg=dict(optimizer=dict(type='Adam'))))
