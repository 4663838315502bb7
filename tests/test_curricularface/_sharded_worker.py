# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The sharded CurricularFace head on each rank of a 2-process run, as a
script for the ``run_ranks`` fixture
(``python _sharded_worker.py INIT_METHOD OUT_DIR``), and the pieces the test
reuses for its single-process reference.

Each rank trains its shard of the classifier (SGD with momentum) for
``STEPS`` steps on its half of every batch, then runs
``ShardedClassifierCheckpointHook`` as a checkpoint falls due: the rows and
momentum of both ranks are gathered into rank 0's checkpoint, which every
rank then loads back (each keeps its own rows), as ``--resume`` does.
"""
import os
import sys

if __name__ == '__main__':  # run as a script: make ``projects`` importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import torch  # noqa: E402
from mmengine.hooks import CheckpointHook  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402

from projects.curricularface import ShardedCurricularFaceHead  # noqa: E402
from projects.facerec import ShardedClassifierCheckpointHook  # noqa: E402

NUM_CLASSES, DIM, PER_RANK, WORLD, STEPS = 5, 4, 3, 2, 2
LR, MOMENTUM = 0.5, 0.9


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


def _sgd(head) -> torch.optim.SGD:
    """SGD with momentum on the classifier weight only."""
    return torch.optim.SGD([head.norm_product.weight],
                           lr=LR,
                           momentum=MOMENTUM)


def _run(head, feats, target, rows):
    """``STEPS`` SGD steps of ``head``: the losses, the gradients of the
    last step, t, the weight and its momentum after the last step."""
    optimizer = _sgd(head)
    out = []
    for step_feats in feats:
        x = step_feats[rows].clone().requires_grad_(True)
        optimizer.zero_grad()
        loss = head.loss((x, ), _samples(target[rows]))['loss']
        loss.backward()
        optimizer.step()
        out.append(loss.detach())
    weight = head.norm_product.weight
    return optimizer, dict(
        loss=torch.stack(out),
        x_grad=x.grad,
        w_grad=weight.grad.clone(),
        t=head.t.clone(),
        weight=weight.detach().clone(),
        momentum=optimizer.state[weight]['momentum_buffer'].clone())


def _run_sharded(head, weight, feats, target, rows):
    """:func:`_run` of a sharded head that starts from its rows of
    ``weight``."""
    with torch.no_grad():
        head.norm_product.weight.copy_(head.local_rows(weight))
    return _run(head, feats, target, rows)


def _checkpoint_and_resume(head, optimizer, out_dir: str, rank: int) -> dict:
    """The hook around a checkpoint due at iteration 2 of 5, and a resume
    from it into a fresh head and optimizer on every rank."""
    import torch.distributed as dist

    hook = ShardedClassifierCheckpointHook()
    runner = SimpleRunner(head, optimizer)
    hook.after_train_iter(runner, 0)  # iteration 1: nothing due
    gathered_early = head._full_weight is not None
    runner.iter = 1  # iteration 2: the checkpoint is due (on every rank)
    hook.after_train_iter(runner, 1)
    if rank == 0:  # mmengine's CheckpointHook saves on rank 0 only
        weights = {f'head.{k}': v for k, v in head.state_dict().items()}
        checkpoint = dict(state_dict=weights, optimizer=optimizer.state_dict())
        # the gathered rows are used by that state_dict, once
        assert head._full_weight is None
        hook.before_save_checkpoint(runner, checkpoint)
        torch.save(checkpoint, f'{out_dir}/checkpoint.pth')
    dist.barrier()
    checkpoint = torch.load(f'{out_dir}/checkpoint.pth', weights_only=False)
    fresh = ShardedCurricularFaceHead(NUM_CLASSES, DIM).double()
    fresh_optimizer = _sgd(fresh)
    hook.after_load_checkpoint(SimpleRunner(fresh, fresh_optimizer),
                               checkpoint)
    fresh.load_state_dict({
        k[len('head.'):]: v
        for k, v in checkpoint['state_dict'].items()
    })
    fresh_optimizer.load_state_dict(checkpoint['optimizer'])
    param = fresh.norm_product.weight
    return dict(
        gathered_early=gathered_early,
        resumed_weight=param.detach().clone(),
        resumed_momentum=fresh_optimizer.state[param]['momentum_buffer'])


class SimpleRunner:
    """The runner attributes ``ShardedClassifierCheckpointHook`` reads."""

    def __init__(self, head, optimizer) -> None:
        self.hooks = [CheckpointHook(interval=2, by_epoch=False)]
        self.model = type('Model', (), dict(head=head))()
        self.optim_wrapper = type('Wrapper', (), dict(optimizer=optimizer))()
        self.iter, self.max_iters = 0, 5


def _worker(rank: int, init_method: str, out_dir: str) -> None:
    import datetime

    import torch.distributed as dist

    torch.set_num_threads(1)
    # a rank that waits longer than the timeout in a collective raises
    # instead of hanging the test
    dist.init_process_group('gloo',
                            init_method=init_method,
                            rank=rank,
                            world_size=WORLD,
                            timeout=datetime.timedelta(seconds=120))
    try:
        init_default_scope('mmpretrain')
        head = ShardedCurricularFaceHead(NUM_CLASSES, DIM).double()
        weight, feats, target = _inputs()
        rows = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
        optimizer, result = _run_sharded(head, weight, feats, target, rows)
        result['start'] = head.class_start
        result['saved'] = _checkpoint_and_resume(head, optimizer, out_dir,
                                                 rank)
        torch.save(result, f'{out_dir}/rank{rank}.pth')
    finally:
        dist.destroy_process_group()


if __name__ == '__main__':
    _worker(int(os.environ['RANK']), sys.argv[1], sys.argv[2])
