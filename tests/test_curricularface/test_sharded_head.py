# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The class-sharded CurricularFace head on 2 CPU (gloo) processes equals
the single-process CurricularFaceHead."""
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
import torch.multiprocessing as mp
from mmengine.hooks import CheckpointHook
from mmengine.registry import init_default_scope

from projects.curricularface import (CurricularFaceHead,
                                     ShardedCurricularFaceHead)
from projects.facerec import ShardedClassifierCheckpointHook
from projects.facerec.models.class_sharded import shard_range

sys.path.insert(0, str(Path(__file__).parent))
from _sharded_worker import (
    DIM,
    NUM_CLASSES,
    PER_RANK,
    WORLD,  # noqa: E402
    _inputs,
    _run_sharded,
    _samples,
    _worker)


def _single():
    """The reference: CurricularFaceHead on the concatenated batch."""
    weight, feats, target = _inputs()
    head = CurricularFaceHead(NUM_CLASSES, DIM).double()
    with torch.no_grad():
        head.norm_product.weight.copy_(weight)
    losses = []
    for step_feats in feats:
        x = step_feats.clone().requires_grad_(True)
        head.zero_grad()
        loss = head.loss((x, ), _samples(target))['loss']
        loss.backward()
        losses.append(loss.detach())
    return dict(
        loss=torch.stack(losses),
        x_grad=x.grad,
        w_grad=head.norm_product.weight.grad,
        t=head.t.clone())


def test_two_process_sharded_equals_single(tmp_path):
    ref = _single()
    mp.spawn(_worker, args=(str(tmp_path), ), nprocs=WORLD, join=True)
    for rank in range(WORLD):
        got = torch.load(tmp_path / f'rank{rank}.pth', weights_only=False)
        start, end = shard_range(NUM_CLASSES, rank, WORLD)
        weight = _inputs()[0]
        assert got['start'] == start and got['w_grad'].shape[0] == end - start
        torch.testing.assert_close(got['loss'], ref['loss'])
        torch.testing.assert_close(got['t'], ref['t'])
        torch.testing.assert_close(got['w_grad'], ref['w_grad'][start:end])
        torch.testing.assert_close(got['reloaded'], weight[start:end])
        torch.testing.assert_close(got['t_reloaded'], ref['t'])
        # x/W after DDP's averaging = the single-process gradient
        rows = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
        torch.testing.assert_close(got['x_grad'] / WORLD, ref['x_grad'][rows])
    assert ref['t'].item() != 0.0 and ref['loss'][0] != ref['loss'][1]
    saved = torch.load(tmp_path / 'head.pth')
    assert saved['norm_product.weight'].shape == (NUM_CLASSES, DIM)


def test_checkpoint_hook_gathers_saves_and_slices():
    init_default_scope('mmpretrain')
    head = ShardedCurricularFaceHead(NUM_CLASSES, DIM)
    optimizer = torch.optim.SGD(head.parameters(), lr=0.1, momentum=0.9)
    head.loss((torch.randn(2, DIM), ), _samples([0, 1]))['loss'].backward()
    optimizer.step()
    hook = ShardedClassifierCheckpointHook()
    runner = SimpleNamespace(
        hooks=[CheckpointHook(interval=2, by_epoch=False), hook],
        model=SimpleNamespace(head=head),
        iter=0,
        max_iters=5,
        optim_wrapper=SimpleNamespace(optimizer=optimizer))
    hook.after_train_iter(runner, 0)  # iteration 1: no checkpoint
    assert head._full_weight is None
    runner.iter = 1  # iteration 2: checkpoint due
    hook.after_train_iter(runner, 1)
    checkpoint = dict(
        state_dict={
            f'head.{k}': v
            for k, v in head.state_dict().items()
        },
        optimizer=optimizer.state_dict())
    assert head._full_weight is None  # used by that state_dict
    momentum = optimizer.state[head.norm_product.weight]['momentum_buffer']
    # on rank 0 of 2 the optimizer's state_dict holds its own rows only;
    # the hook writes the gathered rows of every class in their place
    state = checkpoint['optimizer']['state'][0]
    state['momentum_buffer'] = state['momentum_buffer'][:2].clone()
    hook.before_save_checkpoint(runner, checkpoint)
    assert torch.equal(state['momentum_buffer'], momentum)
    assert momentum.abs().sum() > 0
    # a rank holding classes 2..4 keeps its rows on load
    head.class_start, head.num_local_classes = 2, 3
    hook.after_load_checkpoint(runner, checkpoint)
    assert torch.equal(checkpoint['state_dict']['head.norm_product.weight'],
                       head.norm_product.weight.detach()[2:])
    assert torch.equal(checkpoint['optimizer']['state'][0]['momentum_buffer'],
                       momentum[2:])


def test_single_process_sharded_equals_plain_head():
    init_default_scope('mmpretrain')
    ref = _single()
    weight, feats, target = _inputs()
    got = _run_sharded(
        ShardedCurricularFaceHead(NUM_CLASSES, DIM).double(), weight, feats,
        target, slice(None))
    for key in ('loss', 'x_grad', 'w_grad', 't'):
        torch.testing.assert_close(got[key], ref[key])


def test_sharded_head_bad_inputs():
    with pytest.raises(TypeError, match='one number'):
        ShardedCurricularFaceHead(4, 2, margins=[0.5] * 4)
    with pytest.raises(ValueError, match='smaller than the world size'):
        shard_range(1, 0, 2)
    head = ShardedCurricularFaceHead(3, 2)
    with pytest.raises(ValueError, match='label out of range'):
        head.loss((torch.randn(1, 2), ), _samples([3]))
    assert head.loss((torch.zeros(0, 2), ), [])['loss'].item() == 0.0
