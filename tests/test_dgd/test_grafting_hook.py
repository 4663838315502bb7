# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""FilterGraftingHook: when it grafts (after the epoch's validation and
checkpoint, i.e. when the next epoch or iteration starts), the ring order
with N = 3 through the hook, its warnings and its bad arguments."""
import logging
from types import SimpleNamespace
from typing import List

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.dgd  # noqa: F401
import projects.dgd.grafting_hook as grafting_hook
from projects.dgd import (FilterGraftingHook, grafting_coefficient, ring_graft,
                          weight_entropy)

from ._tiny import CLASSIFIER, peer_cfg


class _Log:
    """Collects what the hook logs."""

    def __init__(self) -> None:
        self.lines: List[str] = []

    def info(self, message: str) -> None:
        self.lines.append(message)

    warning = info


def _runner(num_peers: int = 3, **state) -> SimpleNamespace:
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(peer_cfg(num_peers=num_peers))
    return SimpleNamespace(model=model,
                           message_hub=MessageHub.get_current_instance(),
                           logger=_Log(),
                           **state)


def _states(model) -> List[dict]:
    return [{k: v.clone()
             for k, v in p.state_dict().items()} for p in model.peers]


def test_ring_of_three_through_the_hook():
    runner = _runner(3, epoch=1, iter=6)
    before = _states(runner.model)
    FilterGraftingHook().before_train_epoch(runner)
    # every conv of peer i mixes with the same conv of peer i - 1 (peer 0
    # with peer 2) by the coefficient of their entropies (both functions
    # hand-checked in test_grafting_math.py)
    convs = [k for k, v in before[0].items()
             if k.endswith('weight') and v.dim() == 4]
    assert len(convs) > 3
    for i, prev in ((0, 2), (1, 0), (2, 1)):
        grafted = runner.model.peers[i].state_dict()
        for key in convs:
            own, other = before[i][key], before[prev][key]
            a = grafting_coefficient(weight_entropy(own),
                                     weight_entropy(other))
            torch.testing.assert_close(grafted[key],
                                       a * own + (1 - a) * other)
            assert 0 < a < 1 and not torch.allclose(grafted[key], own)
    # peer 0 took from peer 2, not from peer 1
    other = ring_graft([before[0], before[1]], level='layer')[0][0]
    assert not torch.allclose(
        runner.model.peers[0].state_dict()['backbone.conv1.weight'],
        other['backbone.conv1.weight'])
    assert runner.logger.lines[-1].startswith('FilterGraftingHook: graft 1')


@pytest.mark.parametrize('interval,epochs', [(1, [1, 2, 3]), (2, [2])])
def test_grafts_when_the_next_epoch_starts(interval, epochs):
    hook = FilterGraftingHook(interval=interval)
    runner = _runner(2, iter=0)
    grafted = []
    for epoch in range(4):
        runner.epoch = epoch
        before = hook.num_grafts
        hook.before_train_epoch(runner)
        # iteration hooks do not graft in epoch mode
        hook.before_train_iter(runner, 0)
        if hook.num_grafts > before:
            grafted.append(epoch)
    assert grafted == epochs


def test_by_iteration_grafts_every_interval_iterations():
    hook = FilterGraftingHook(interval=3, by_epoch=False)
    runner = _runner(2, epoch=0)
    grafted = []
    for step in range(8):
        runner.iter = step
        before = hook.num_grafts
        hook.before_train_iter(runner, step)
        hook.before_train_epoch(runner)
        if hook.num_grafts > before:
            grafted.append(step)
    assert grafted == [3, 6]


def test_graft_false_never_grafts():
    hook = FilterGraftingHook(graft=False)
    runner = _runner(2, epoch=1, iter=3)
    before = _states(runner.model)
    hook.before_train(runner)
    # the model no longer warns that rank states are not checkpointed
    assert runner.model.rank_states_kept
    hook.before_train_epoch(runner)
    assert hook.num_grafts == 0
    for peer, state in zip(runner.model.peers, before):
        for key, value in state.items():
            assert torch.equal(peer.state_dict()[key], value)


def test_filter_level_logs_convs_it_cannot_pair(monkeypatch):
    monkeypatch.setattr(grafting_hook, 'unpaired_convs',
                        lambda state: ['backbone.conv1'])
    hook = FilterGraftingHook(level='filter', bn_fc_mode='keep')
    runner = _runner(2, epoch=1, iter=3)
    hook.before_train_epoch(runner)
    warning = next(line for line in runner.logger.lines if 'no BN' in line)
    assert "bn_fc_mode='keep'" in warning and 'backbone.conv1' in warning


def test_bad_arguments_name_the_field():
    with pytest.raises(ValueError, match='level'):
        FilterGraftingHook(level='channel')
    with pytest.raises(ValueError, match='bn_fc_mode'):
        FilterGraftingHook(bn_fc_mode='mean')
    with pytest.raises(ValueError, match='interval'):
        FilterGraftingHook(interval=0)
    plain = SimpleNamespace(model=MODELS.build(CLASSIFIER), epoch=1, iter=0)
    with pytest.raises(TypeError, match='DGDPeerClassifier'):
        FilterGraftingHook().before_train_epoch(plain)
    with pytest.raises(ValueError, match='num_peers'):
        FilterGraftingHook().before_train_epoch(_runner(1, epoch=1, iter=0))


def test_resuming_on_fewer_ranks_warns_which_peers_are_left_out(monkeypatch):
    # a one-peer-per-rank checkpoint of 3 ranks resumed in 1 process: rank
    # 0's peer, optimizer and schedulers are loaded, peers 1 and 2 named
    logged = []
    monkeypatch.setattr(grafting_hook, 'print_log',
                        lambda msg, **kwargs: logged.append((msg, kwargs)))
    ranks = [
        dict(peer={'w': torch.full((2, ), float(g))},
             optimizer=f'optimizer {g}',
             param_schedulers=[f'scheduler {g}']) for g in range(3)
    ]
    checkpoint = dict(state_dict={'peers.0.w': torch.zeros(2)},
                      dgd_rank_states=ranks)
    FilterGraftingHook().after_load_checkpoint(SimpleNamespace(), checkpoint)
    assert torch.equal(checkpoint['state_dict']['peers.0.w'],
                       ranks[0]['peer']['w'])
    assert checkpoint['optimizer'] == 'optimizer 0'
    assert checkpoint['param_schedulers'] == ['scheduler 0']
    (message, kwargs), = logged
    assert kwargs['level'] == logging.WARNING
    assert message.endswith('resuming on 1 ranks leaves peers [1, 2] out')
    # more ranks than the checkpoint holds peers for: a clear error
    with pytest.raises(ValueError, match="holds 0 ranks' peers, cannot"):
        FilterGraftingHook().after_load_checkpoint(
            SimpleNamespace(), dict(state_dict={}, dgd_rank_states=[]))
