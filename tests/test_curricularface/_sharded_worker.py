# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Worker of the 2-process sharded-head test, importable by the spawned
processes (pytest's importlib mode makes test modules unimportable)."""
import torch
from mmengine.registry import init_default_scope

from projects.curricularface import ShardedCurricularFaceHead
from mmpretrain.structures import DataSample

NUM_CLASSES, DIM, PER_RANK, WORLD, STEPS = 5, 4, 3, 2, 2


def _inputs():
    g = torch.Generator().manual_seed(0)
    weight = torch.randn(NUM_CLASSES, DIM, generator=g, dtype=torch.float64)
    feats = [
        torch.randn(WORLD * PER_RANK, DIM, generator=g, dtype=torch.float64)
        for _ in range(STEPS)
    ]
    # hard negatives: class 2 close to every embedding's direction
    target = torch.tensor([0, 4, 2, 3, 1, 4])
    return weight, feats, target


def _samples(labels):
    return [DataSample().set_gt_label(int(v)) for v in labels]


def _run_sharded(head, weight, feats, target, rows):
    """STEPS losses, gradients of the last step, t."""
    with torch.no_grad():
        head.norm_product.weight.copy_(
            weight[head.class_start:head.class_start + head.num_local_classes])
    out = []
    for step_feats in feats:
        x = step_feats[rows].clone().requires_grad_(True)
        head.zero_grad()
        loss = head.loss((x, ), _samples(target[rows]))['loss']
        loss.backward()
        out.append(loss.detach())
    return dict(
        loss=torch.stack(out),
        x_grad=x.grad,
        w_grad=head.norm_product.weight.grad,
        t=head.t.clone())


def _worker(rank, out_dir):
    import datetime

    import torch.distributed as dist

    # a file rendezvous (no TCP port to race for); a rank that waits longer
    # than the timeout in a collective raises instead of hanging the test
    dist.init_process_group(
        'gloo',
        init_method=f'file://{out_dir}/rendezvous',
        rank=rank,
        world_size=WORLD,
        timeout=datetime.timedelta(seconds=120))
    init_default_scope('mmpretrain')
    head = ShardedCurricularFaceHead(NUM_CLASSES, DIM).double()
    weight, feats, target = _inputs()
    rows = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
    result = _run_sharded(head, weight, feats, target, rows)
    result['start'] = head.class_start
    # checkpoint: rank 0's state_dict gets all rows; loading keeps a slice
    head.gather_full_weight()
    if rank == 0:
        torch.save(head.state_dict(), f'{out_dir}/head.pth')
    dist.barrier()
    fresh = ShardedCurricularFaceHead(NUM_CLASSES, DIM).double()
    fresh.load_state_dict(torch.load(f'{out_dir}/head.pth'))
    result['reloaded'] = fresh.norm_product.weight.detach().clone()
    result['t_reloaded'] = fresh.t.clone()
    torch.save(result, f'{out_dir}/rank{rank}.pth')
    dist.destroy_process_group()
