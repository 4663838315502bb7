# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""One peer per rank (2 gloo processes) equals the 2 peers of one process:
grafting through torch.distributed, the online distillation targets, the
checkpointed peer states and evaluation with peers of other ranks."""
from pathlib import Path
from types import SimpleNamespace

import torch
from mmengine.logging import MessageHub, MMLogger
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.dgd  # noqa: F401
from projects.dgd import FilterGraftingHook

from ._tiny import KD, batch, peer_cfg

WORKER = Path(__file__).with_name('_dist_worker.py')


def _load(path: Path) -> dict:
    return torch.load(path, weights_only=False)


def test_two_process_grafting_and_kd_equal_single_process(tmp_path, run_ranks):
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    single = MODELS.build(peer_cfg(num_peers=2, online_kd=KD))
    for i, peer in enumerate(single.peers):
        torch.save(peer.state_dict(), tmp_path / f'peer{i}.pth')
    run_ranks([str(WORKER), '{init_method}', str(tmp_path)], timeout=240)

    inputs, samples = batch()
    losses = single(inputs, samples, mode='loss')
    hook = FilterGraftingHook(level='filter')
    hook.graft(
        SimpleNamespace(model=single,
                        message_hub=MessageHub.get_current_instance(),
                        logger=MMLogger.get_current_instance()))
    for rank in range(2):
        got = _load(tmp_path / f'rank{rank}.pth')
        for name in ('loss_cls', 'loss_kd'):
            torch.testing.assert_close(got['losses'][f'peer{rank}.{name}'],
                                       losses[f'peer{rank}.{name}'])
        for key, value in single.peers[rank].state_dict().items():
            torch.testing.assert_close(got['state'][key], value)
        assert got['alphas'] == [hook.mean_alphas[rank]]
        # every rank holds all peers' weights for rank 0's checkpoint, as
        # they were before the graft (the official loop saves, then grafts)
        for peer, state in enumerate(got['rank_states']):
            assert state['iter'] == 3
            assert state['peer']['backbone.conv1.weight'].device.type == 'cpu'
            torch.testing.assert_close(
                state['peer']['backbone.conv1.weight'],
                torch.load(tmp_path /
                           f'peer{peer}.pth')['backbone.conv1.weight'])
        # every rank evaluates with peer 1's network, or all peers' mean
        single.eval()
        single.eval_peer = 1
        torch.testing.assert_close(got['peer1'], single(inputs))
        single.eval_peer = 'ensemble'
        torch.testing.assert_close(got['ensemble'], single(inputs))
        single.train()
        # every rank sees the whole data, in the same order
        assert sorted(got['indices']) == list(range(5))
    assert _load(tmp_path / 'rank0.pth')['indices'] == _load(
        tmp_path / 'rank1.pth')['indices']
    before = torch.load(tmp_path / 'peer0.pth')
    after = _load(tmp_path / 'rank0.pth')['state']
    assert not torch.equal(before['backbone.conv1.weight'],
                           after['backbone.conv1.weight'])
