# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DGDPeerClassifier: losses, online/offline targets, gradients, errors."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.dgd  # noqa: F401
import projects.dgd.peer_classifier as peer_classifier
from projects.dgd import DGDPeerClassifier

from ._tiny import CLASSIFIER, KD, batch, peer_cfg


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmpretrain')


def _logits(model, inputs):
    return [p.head(p.extract_feat(inputs)) for p in model.peers]


def _soft_ce(student, target, t):
    """Hinton's T^2-scaled soft cross-entropy, written out: the student's
    log-softmax at T against the target probabilities."""
    return -(target * (student / t).log_softmax(1)).sum(1).mean() * t * t


def test_online_target_is_the_mean_of_the_other_peers():
    model = MODELS.build(
        peer_cfg(num_peers=3,
                 online_kd=dict(type='PeerKDLoss', temperature=2.0)))
    inputs, samples = batch()
    losses = model(inputs, samples, mode='loss')
    assert set(losses) == {
        f'peer{i}.{n}'
        for i in range(3)
        for n in ('loss_cls', 'loss_kd')
    }
    z = _logits(model, inputs)
    # the target: the softmax at T of the mean of the other peers' logits
    for i, (j, k) in ((0, (1, 2)), (2, (0, 1))):
        target = ((z[j] + z[k]) / 2 / 2.0).softmax(1)
        torch.testing.assert_close(losses[f'peer{i}.loss_kd'],
                                   _soft_ce(z[i], target, 2.0))
    ce = torch.nn.functional.cross_entropy(z[2], torch.tensor([0, 1, 2, 0]))
    torch.testing.assert_close(losses['peer2.loss_cls'], ce)


def test_kd_gradient_reaches_only_the_student():
    model = MODELS.build(
        peer_cfg(num_peers=2, online_kd=dict(type='PeerKDLoss')))
    inputs, samples = batch()
    model(inputs, samples, mode='loss')['peer0.loss_kd'].backward()
    assert all(p.grad is not None for p in model.peers[0].parameters()
               if p.requires_grad and p.ndim > 1)
    assert all(p.grad is None for p in model.peers[1].parameters())


def test_baseline_has_only_ce_and_predict_shapes():
    model = MODELS.build(peer_cfg(num_peers=2, eval_peer='ensemble'))
    inputs, samples = batch(n=5)
    assert set(model(inputs, samples,
                     mode='loss')) == {'peer0.loss_cls', 'peer1.loss_cls'}
    z = _logits(model, inputs)
    torch.testing.assert_close(model(inputs), (z[0] + z[1]) / 2)
    preds = model(inputs, samples, mode='predict')
    assert len(preds) == 5 and preds[0].pred_score.shape == (3, )
    empty = model(torch.zeros(0, 3, 8, 8))
    assert empty.shape == (0, 3)
    with pytest.raises(ValueError, match='empty'):
        model(torch.zeros(0, 3, 8, 8), [], mode='loss')


def test_offline_teacher_is_loaded_frozen_and_in_eval(tmp_path):
    teacher = MODELS.build(CLASSIFIER)
    ckpt = tmp_path / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, ckpt)
    model = MODELS.build(
        peer_cfg(num_peers=1,
                 teacher=CLASSIFIER,
                 teacher_ckpt=str(ckpt),
                 teacher_kd=dict(type='PeerKDLoss', temperature=4.0)))
    model.init_weights()
    model.train()
    loaded = model.teachers[0]
    for key, value in teacher.state_dict().items():
        torch.testing.assert_close(loaded.state_dict()[key], value)
    assert not loaded.training and not any(p.requires_grad
                                           for p in loaded.parameters())
    inputs, samples = batch()
    losses = model(inputs, samples, mode='loss')
    teacher.eval()
    with torch.no_grad():
        target = teacher.head(teacher.extract_feat(inputs))
    expected = _soft_ce(_logits(model, inputs)[0], (target / 4.0).softmax(1),
                        4.0)
    torch.testing.assert_close(losses['peer0.loss_teacher'], expected)


def test_several_teachers_give_the_mean_of_their_logits(tmp_path):
    torch.manual_seed(0)
    teachers, ckpts = [MODELS.build(CLASSIFIER) for _ in range(2)], []
    for i, teacher in enumerate(teachers):
        ckpts.append(str(tmp_path / f'teacher{i}.pth'))
        torch.save({'state_dict': teacher.state_dict()}, ckpts[-1])
        teacher.eval()
    model = MODELS.build(
        peer_cfg(num_peers=1,
                 teacher=CLASSIFIER,
                 teacher_ckpt=ckpts,
                 teacher_kd=dict(type='PeerKDLoss', temperature=4.0)))
    model.init_weights()
    model.train()
    assert len(model.teachers) == 2
    inputs, samples = batch()
    losses = model(inputs, samples, mode='loss')
    with torch.no_grad():
        logits = [t.head(t.extract_feat(inputs)) for t in teachers]
    assert not torch.allclose(logits[0], logits[1])
    student = _logits(model, inputs)[0]
    target = ((logits[0] + logits[1]) / 2 / 4.0).softmax(1)
    torch.testing.assert_close(losses['peer0.loss_teacher'],
                               _soft_ce(student, target, 4.0))
    # not one teacher's term alone
    for single in logits:
        assert not torch.allclose(
            losses['peer0.loss_teacher'],
            _soft_ce(student, (single / 4.0).softmax(1), 4.0))


def test_online_target_mean_probs_averages_softened_probabilities():
    model = MODELS.build(
        peer_cfg(num_peers=3,
                 online_target='mean_probs',
                 online_kd=dict(type='PeerKDLoss', temperature=2.0)))
    inputs, samples = batch()
    losses = model(inputs, samples, mode='loss')
    z = _logits(model, inputs)
    target = (torch.softmax(z[1] / 2, 1) + torch.softmax(z[2] / 2, 1)) / 2
    expected = _soft_ce(z[0], target, 2.0)
    torch.testing.assert_close(losses['peer0.loss_kd'], expected)
    # the default ensembles logits, which differs
    model.online_target = 'mean_logits'
    assert not torch.allclose(
        model(inputs, samples, mode='loss')['peer0.loss_kd'], expected)
    with pytest.raises(ValueError, match='online_target'):
        MODELS.build(peer_cfg(online_target='vote'))


def _student_of_a_dgd_checkpoint(tmp_path, prefix: str):
    """A 2-peer DGD checkpoint, and a 1-peer model taught by ``prefix``."""
    trained = MODELS.build(peer_cfg(num_peers=2, peer_seed=3))
    ckpt = tmp_path / 'dgd.pth'
    torch.save({'state_dict': trained.state_dict()}, ckpt)
    student = MODELS.build(
        peer_cfg(num_peers=1, teacher_ckpt=str(ckpt), teacher_prefix=prefix))
    return trained, student


def test_teacher_defaults_to_a_peer_of_a_dgd_checkpoint(tmp_path):
    trained, model = _student_of_a_dgd_checkpoint(tmp_path, 'peers.1.')
    model.init_weights()
    assert len(model.teachers) == 1
    for key, value in trained.peers[1].state_dict().items():
        torch.testing.assert_close(model.teachers[0].state_dict()[key],
                                   value)


def test_teacher_prefix_that_matches_nothing_lists_the_peers(tmp_path):
    _, model = _student_of_a_dgd_checkpoint(tmp_path, 'peers.5.')
    with pytest.raises(ValueError,
                       match=r"teacher_prefix.*'peers\.5\.'.*peers\.0\., "
                       r"peers\.1\."):
        model.init_weights()


def test_online_kd_without_a_second_peer_is_reported(monkeypatch):
    logged = []
    monkeypatch.setattr(peer_classifier, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    MODELS.build(peer_cfg(num_peers=1, online_kd=KD))
    assert any('no loss_kd' in line for line in logged)
    logged.clear()
    MODELS.build(peer_cfg(num_peers=2, online_kd=KD))
    assert logged == []


def test_per_rank_peers_without_the_hook_are_reported_once(monkeypatch):
    logged = []
    monkeypatch.setattr(peer_classifier, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    model = MODELS.build(peer_cfg(num_peers=1))
    monkeypatch.setattr(model, '_across_ranks', lambda: True)
    inputs, samples = batch()
    model(inputs, samples, mode='loss')
    model(inputs, samples, mode='loss')
    assert len(logged) == 1 and 'FilterGraftingHook' in logged[0]
    kept = MODELS.build(peer_cfg(num_peers=1))
    monkeypatch.setattr(kept, '_across_ranks', lambda: True)
    kept.rank_states_kept = True  # what the hook sets before training
    kept(inputs, samples, mode='loss')
    assert len(logged) == 1


def test_missing_teacher_checkpoint_names_the_field(tmp_path):
    model = MODELS.build(
        peer_cfg(num_peers=1, teacher_ckpt=str(tmp_path / 'absent.pth')))
    with pytest.raises(FileNotFoundError,
                       match=r'model\.teacher_ckpt .*absent\.pth'):
        model.init_weights()


def test_bad_configs_name_the_field():
    with pytest.raises(ValueError, match='num_peers'):
        MODELS.build(peer_cfg(num_peers=0))
    with pytest.raises(ValueError, match='eval_peer'):
        MODELS.build(peer_cfg(num_peers=2, eval_peer=2))
    with pytest.raises(ValueError, match='teacher_ckpt'):
        MODELS.build(peer_cfg(teacher=CLASSIFIER))
    with pytest.raises(ValueError, match=r'model\.teacher_kd needs'):
        MODELS.build(peer_cfg(teacher_kd=KD))
    with pytest.raises(ValueError, match=r'model\.teacher_prefix needs'):
        MODELS.build(peer_cfg(teacher_prefix='peers.0.'))
    with pytest.raises(RuntimeError, match='mode'):
        MODELS.build(peer_cfg())(torch.zeros(1, 3, 8, 8), mode='fit')


def test_peers_get_their_init_cfg():
    # LinearClsHead's init_cfg is Normal(std=0.01) with zero bias; torch's
    # default Linear init draws a non-zero bias
    model = MODELS.build(peer_cfg(num_peers=2))
    model.init_weights()
    for peer in model.peers:
        assert torch.count_nonzero(peer.head.fc.bias) == 0
        assert peer.head.fc.weight.std() < 0.05


def test_peer_seed_builds_peer_g_from_seed_g(monkeypatch):
    torch.manual_seed(123)
    state = torch.get_rng_state()
    two = MODELS.build(peer_cfg(num_peers=2, peer_seed=7))
    two.init_weights()
    # the global generator is left as it was
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(0)
    again = MODELS.build(peer_cfg(num_peers=2, peer_seed=7))
    again.init_weights()
    for key, value in two.state_dict().items():
        torch.testing.assert_close(again.state_dict()[key], value)
    assert not torch.equal(two.peers[0].head.fc.weight,
                           two.peers[1].head.fc.weight)
    # on rank 1, the one peer of a rank is peer 1 of the 2-peer model
    monkeypatch.setattr(DGDPeerClassifier, 'peer_offset',
                        property(lambda self: 1))
    rank1 = MODELS.build(peer_cfg(distributed_peers=True, peer_seed=7))
    rank1.init_weights()
    for key, value in two.peers[1].state_dict().items():
        torch.testing.assert_close(rank1.peers[0].state_dict()[key], value)


def test_reset_local_peers_undoes_rank_0s_broadcast():
    model = MODELS.build(peer_cfg(num_peers=2, peer_seed=3))
    model.init_weights()
    expected = [{k: v.clone()
                 for k, v in p.state_dict().items()} for p in model.peers]
    # what mmengine's broadcast of rank 0's weights does to peer 1
    model.peers[1].load_state_dict(model.peers[0].state_dict())
    model.reset_local_peers()
    for peer, state in zip(model.peers, expected):
        for key, value in state.items():
            torch.testing.assert_close(peer.state_dict()[key], value)


def test_distributed_peers_need_a_peer_seed():
    with pytest.raises(ValueError, match='peer_seed'):
        MODELS.build(peer_cfg(distributed_peers=True))
