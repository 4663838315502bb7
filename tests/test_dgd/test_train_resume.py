# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The DGD demo configs train through tools/train.py (grafting + online
distillation) and resume exactly: 2 epochs == 1 epoch + resume to 2; with
one peer per rank (2 gloo processes) they train the same two peers as the
2-peer model of one process."""
import shutil
from pathlib import Path

import pytest
import torch

from ._demo_run import CFG_2_PEERS, CFG_PER_RANK, load, train


@pytest.fixture(scope='module')
def two_peers(tmp_path_factory, toy_cls) -> dict:
    """The 2-peer demo, 2 epochs straight, in one process."""
    work_dir = tmp_path_factory.mktemp('two_peers')
    logs = train(CFG_2_PEERS, work_dir, toy_cls)
    return dict(work_dir=work_dir, logs=logs)


def _resume(straight: Path, resumed: Path, cfg: str, data: Path,
            **kwargs) -> dict:
    resumed.mkdir()
    shutil.copy(straight / 'epoch_1.pth', resumed / 'epoch_1.pth')
    train(cfg, resumed, data, '--resume', str(resumed / 'epoch_1.pth'),
          **kwargs)
    return load(resumed / 'epoch_2.pth')


def _assert_same(got: dict, expected: dict) -> None:
    # across processes: gloo's reductions sum in another order than one
    # process does, so equal within float32 rounding
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        torch.testing.assert_close(got[key], value, rtol=1e-5, atol=1e-6)


def _peer(state: dict, index: int) -> dict:
    prefix = f'peers.{index}.'
    return {
        k[len(prefix):]: v
        for k, v in state.items() if k.startswith(prefix)
    }


def test_demo_grafts_distils_and_resumes_exactly(tmp_path, toy_cls,
                                                 two_peers,
                                                 assert_same_checkpoint):
    logs, straight = two_peers['logs'], two_peers['work_dir']
    # train, validate, save, then graft (official order): 2 epochs, 1 graft
    assert 'FilterGraftingHook: graft 1' in logs and 'peer1.loss_kd' in logs
    assert 'FilterGraftingHook: graft 2' not in logs
    assert 'accuracy/top1' in logs
    final = load(straight / 'epoch_2.pth')
    assert final['dgd_grafting']['num_grafts'] == 1
    weights = final['state_dict']
    first = load(straight / 'epoch_1.pth')
    assert first['dgd_grafting']['num_grafts'] == 0
    # the peers' different lrs keep them apart after the graft
    assert not torch.allclose(weights['peers.0.backbone.conv1.weight'],
                              weights['peers.1.backbone.conv1.weight'])

    # one process: resuming is bit-exact (weights, optimizer, schedulers,
    # generators, grafting state)
    again = _resume(straight, tmp_path / 'resumed', CFG_2_PEERS, toy_cls)
    assert_same_checkpoint(again, final, extra=('dgd_grafting', ))


@pytest.mark.timeout(900)  # two torchrun runs of at most 400 s each
def test_one_peer_per_rank_equals_one_process_and_resumes_exactly(
        tmp_path, toy_cls, two_peers, torchrun, assert_same_checkpoint):
    straight = tmp_path / 'straight'
    logs = train(CFG_PER_RANK, straight, toy_cls, torchrun=torchrun)
    # rank 0 logs its own peer
    assert 'FilterGraftingHook: graft 1' in logs and 'peer0.loss_kd' in logs
    final = load(straight / 'epoch_2.pth')
    ranks = final['dgd_rank_states']
    assert [r['iter'] for r in ranks] == [final['meta']['iter']] * 2
    # rank g trained peer g of the in-process model: same seeds, batches,
    # lrs ("dlr" per rank), grafts and distillation targets
    in_process = load(two_peers['work_dir'] / 'epoch_2.pth')['state_dict']
    for rank in (0, 1):
        _assert_same(ranks[rank]['peer'], _peer(in_process, rank))
    _assert_same(_peer(final['state_dict'], 0), ranks[0]['peer'])
    lrs = [r['optimizer']['param_groups'][0]['lr'] for r in ranks]
    assert lrs == pytest.approx([0.05, 0.1])
    # each rank's schedulers, with its own base lrs, are in the checkpoint
    # (mmengine appends the optimizer's configured lr as a last base value)
    for rank, lr in zip((0, 1), (0.05, 0.1)):
        groups = ranks[rank]['optimizer']['param_groups']
        bases = ranks[rank]['param_schedulers'][0]['base_values']
        assert bases[:len(groups)] == pytest.approx([lr] * len(groups))

    again = _resume(straight,
                    tmp_path / 'resumed',
                    CFG_PER_RANK,
                    toy_cls,
                    torchrun=torchrun)
    # the same 2 processes: bit for bit, every rank's peer, momentum and
    # schedulers (its own, not rank 0's), generators and grafting state
    assert_same_checkpoint(again, final,
                           extra=('dgd_grafting', 'dgd_rank_states'))
    assert ranks[0]['optimizer']['param_groups'][0]['lr'] != \
        ranks[1]['optimizer']['param_groups'][0]['lr']
