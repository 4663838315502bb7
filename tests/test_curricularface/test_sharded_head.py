# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The class-sharded CurricularFace head on 2 CPU (gloo) processes equals
the single-process CurricularFaceHead, and ShardedClassifierCheckpointHook
gathers both ranks' rows and momentum into rank 0's checkpoint and slices
them back on resume."""
from pathlib import Path

import pytest
import torch
from mmengine.registry import init_default_scope

from projects.curricularface import (CurricularFaceHead,
                                     ShardedCurricularFaceHead)
from projects.facerec.models.class_sharded import shard_range

from ._sharded_worker import (DIM, NUM_CLASSES, PER_RANK, WORLD, _inputs, _run,
                              _run_sharded, _samples)

WORKER = Path(__file__).with_name('_sharded_worker.py')


def _single():
    """The reference: CurricularFaceHead on the concatenated batch."""
    weight, feats, target = _inputs()
    head = CurricularFaceHead(NUM_CLASSES, DIM).double()
    with torch.no_grad():
        head.norm_product.weight.copy_(weight)
    return _run(head, feats, target, slice(None))[1]


def test_two_process_sharded_equals_single(tmp_path, run_ranks):
    # float64, within assert_close's 1e-7: the ranks' all-reduces sum in
    # another order than one process does
    ref = _single()
    run_ranks([str(WORKER), '{init_method}', str(tmp_path)], timeout=240)
    saved = torch.load(tmp_path / 'checkpoint.pth', weights_only=False)
    # rank 0's checkpoint: every class's rows and momentum, gathered
    weight = saved['state_dict']['head.norm_product.weight']
    momentum = saved['optimizer']['state'][0]['momentum_buffer']
    assert weight.shape == momentum.shape == (NUM_CLASSES, DIM)
    torch.testing.assert_close(weight, ref['weight'])
    torch.testing.assert_close(momentum, ref['momentum'])
    torch.testing.assert_close(saved['state_dict']['head.t'], ref['t'])
    for rank in range(WORLD):
        got = torch.load(tmp_path / f'rank{rank}.pth', weights_only=False)
        start, end = shard_range(NUM_CLASSES, rank, WORLD)
        assert got['start'] == start and got['w_grad'].shape[0] == end - start
        torch.testing.assert_close(got['loss'], ref['loss'])
        torch.testing.assert_close(got['t'], ref['t'])
        torch.testing.assert_close(got['w_grad'], ref['w_grad'][start:end])
        torch.testing.assert_close(got['weight'], ref['weight'][start:end])
        torch.testing.assert_close(got['momentum'], ref['momentum'][start:end])
        # x/W after DDP's averaging = the single-process gradient
        rows = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
        torch.testing.assert_close(got['x_grad'] / WORLD, ref['x_grad'][rows])
        # nothing gathered before the checkpoint was due; the resumed rank
        # holds its own rows and momentum, bit for bit
        resumed = got['saved']
        assert not resumed['gathered_early']
        assert torch.equal(resumed['resumed_weight'], got['weight'])
        assert torch.equal(resumed['resumed_momentum'], got['momentum'])
    # the steps moved the weights and the second loss saw the update
    assert ref['t'].item() != 0.0 and ref['loss'][0] != ref['loss'][1]
    assert not torch.allclose(ref['weight'], _inputs()[0])
    assert ref['momentum'].abs().min() > 0


def test_single_process_sharded_equals_plain_head():
    init_default_scope('mmpretrain')
    ref = _single()
    weight, feats, target = _inputs()
    got = _run_sharded(
        ShardedCurricularFaceHead(NUM_CLASSES, DIM).double(), weight, feats,
        target, slice(None))[1]
    for key in ('loss', 'x_grad', 'w_grad', 't', 'weight', 'momentum'):
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
