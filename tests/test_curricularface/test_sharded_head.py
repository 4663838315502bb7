# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The class-sharded CurricularFace head on 2 CPU (gloo) processes equals
the single-process CurricularFaceHead."""
import socket

import pytest
import torch
import torch.multiprocessing as mp
from mmengine.registry import init_default_scope

from projects.curricularface import (CurricularFaceHead,
                                     ShardedCurricularFaceHead)
from projects.facerec.models.class_sharded import shard_range
from mmpretrain.structures import DataSample

NUM_CLASSES, DIM, PER_RANK, WORLD, STEPS = 5, 4, 3, 2, 2


def _inputs():
    g = torch.Generator().manual_seed(0)
    weight = torch.randn(NUM_CLASSES, DIM, generator=g, dtype=torch.float64)
    feats = [torch.randn(WORLD * PER_RANK, DIM, generator=g,
                         dtype=torch.float64) for _ in range(STEPS)]
    # hard negatives: class 2 close to every embedding's direction
    target = torch.tensor([0, 4, 2, 3, 1, 4])
    return weight, feats, target


def _samples(labels):
    return [DataSample().set_gt_label(int(v)) for v in labels]


def _run_sharded(head, weight, feats, target, rows):
    """STEPS losses, gradients of the last step, t."""
    with torch.no_grad():
        head.norm_product.weight.copy_(
            weight[head.class_start:head.class_start +
                   head.num_local_classes])
    out = []
    for step_feats in feats:
        x = step_feats[rows].clone().requires_grad_(True)
        head.zero_grad()
        loss = head.loss((x, ), _samples(target[rows]))['loss']
        loss.backward()
        out.append(loss.detach())
    return dict(loss=torch.stack(out), x_grad=x.grad,
                w_grad=head.norm_product.weight.grad, t=head.t.clone())


def _worker(rank, port, out_dir):
    import torch.distributed as dist
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=WORLD)
    init_default_scope('mmpretrain')
    head = ShardedCurricularFaceHead(NUM_CLASSES, DIM).double()
    weight, feats, target = _inputs()
    rows = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
    result = _run_sharded(head, weight, feats, target, rows)
    result['start'] = head.class_start
    torch.save(result, f'{out_dir}/rank{rank}.pth')
    dist.destroy_process_group()


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
    return dict(loss=torch.stack(losses), x_grad=x.grad,
                w_grad=head.norm_product.weight.grad, t=head.t.clone())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_process_sharded_equals_single(tmp_path):
    ref = _single()
    mp.spawn(_worker, args=(_free_port(), str(tmp_path)), nprocs=WORLD,
             join=True)
    for rank in range(WORLD):
        got = torch.load(tmp_path / f'rank{rank}.pth', weights_only=False)
        start, end = shard_range(NUM_CLASSES, rank, WORLD)
        assert got['start'] == start and got['w_grad'].shape[0] == end - start
        torch.testing.assert_close(got['loss'], ref['loss'])
        torch.testing.assert_close(got['t'], ref['t'])
        torch.testing.assert_close(got['w_grad'], ref['w_grad'][start:end])
        # x/W after DDP's averaging = the single-process gradient
        rows = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
        torch.testing.assert_close(got['x_grad'] / WORLD,
                                   ref['x_grad'][rows])
    assert ref['t'].item() != 0.0 and ref['loss'][0] != ref['loss'][1]


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
