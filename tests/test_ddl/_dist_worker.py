# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The DDL parts that need several processes, as one script run by the
``run_ranks`` fixture (``python _dist_worker.py INIT_METHOD OUT_DIR``), and
the single-process references the test computes with the same functions.

1. ``gather``: the weighted DDL loss of each rank's share of a global batch
   with ``gather_ddl_inputs`` under both ``ddl_gradient`` settings and
   without gathering, and the gradients of its embedding inputs.
2. ``ddp``: two SGD steps of a tiny ``DDLFaceRecognizer`` in mmengine's
   ``MMDistributedDataParallel`` on each rank's share of a fixed batch.
"""
import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Dict, List

import torch
import torch.nn.functional as F

if __name__ == '__main__':  # run as a script: make ``projects`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mmengine.model import BaseDataPreprocessor  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmpretrain.registry import MODELS  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402

from projects.ddl import (DDLFaceRecognizer,  # noqa: E402
                          DistributionDistillationLoss)

WORLD, PER_RANK, DIM = 2, 6, 8
# per rank and stream of the DDP model: classification ids, pairs
IDS, PAIRS, CLASSES, SIZE = 3, 2, 6, 16
STEPS = 2
DDL_WEIGHTS = dict(pos_kl_weight=0.1, neg_kl_weight=0.02,
                   order_loss_weight=0.5)


# ----------------------------------------------------------- gather part
def gather_inputs() -> List[List[torch.Tensor]]:
    """Per branch (easy, hard): classification, pair-a and pair-b
    embeddings of the global batch, unit-normalised (float64)."""
    g = torch.Generator().manual_seed(0)
    return [[
        F.normalize(torch.randn(WORLD * PER_RANK, DIM, generator=g,
                                dtype=torch.float64), dim=1)
        for _ in range(3)
    ] for _ in range(2)]


def ddl_loss(groups, gather: bool, gradient: str = 'exact'):
    """Weighted DDL loss of ``ddl_terms`` and its embedding leaves."""
    model = SimpleNamespace(gather_ddl_inputs=gather,
                            ddl_gradient=gradient,
                            ddl_loss=DistributionDistillationLoss())
    leaves = [[f.clone().requires_grad_(True) for f in g] for g in groups]
    terms = DDLFaceRecognizer.ddl_terms(model, [b[0] for b in leaves],
                                        [b[1] for b in leaves],
                                        [b[2] for b in leaves])
    loss = model.ddl_loss.weighted(terms)
    loss.backward()
    return loss.detach(), [[f.grad for f in b] for b in leaves]


def _gather_part(rank: int) -> Dict[str, dict]:
    rows = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
    local = [[f[rows] for f in branch] for branch in gather_inputs()]
    out = {}
    for name, gather, gradient in (('exact', True, 'exact'),
                                   ('official', True, 'official'),
                                   ('local', False, 'official')):
        loss, grads = ddl_loss(local, gather, gradient)
        out[name] = dict(loss=loss, grads=grads)
    return out


# -------------------------------------------------------------- DDP part
def build_model(gradient: str, ddl_scale: float = 1.0):
    """A tiny float64 DDL model with the DDL configs' head setting
    (momentum 0.1, ``t`` from the global batch)."""
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    head = dict(type='CurricularFaceHead', num_classes=CLASSES,
                in_channels=8, scale=16.0, margins=0.3, momentum=0.1,
                sync_t=True)
    model = MODELS.build(dict(
        type='DDLFaceRecognizer',
        # casts nothing: the float64 batch goes in as it is
        data_preprocessor=BaseDataPreprocessor(),
        gather_ddl_inputs=True,
        ddl_gradient=gradient,
        backbone=dict(type='IResNet', arch='tiny', style='model_irse',
                      input_size=SIZE, embedding_dim=8, dropout=0.0),
        head=head,
        ddl_loss=dict(type='DistributionDistillationLoss',
                      **{k: v * ddl_scale for k, v in DDL_WEIGHTS.items()})))
    model.init_weights()
    return model.double()


def batch(rank: int, world: int, step: int):
    """Rank ``rank``'s share of step ``step``'s global batch: each stream's
    rows ``[rank * n, (rank + 1) * n)`` (the all-gather order), so the
    shares of ``world`` ranks concatenated stream by stream are the whole
    batch, which ``world=1`` returns."""
    g = torch.Generator().manual_seed(100 + step)
    n = dict(cls=IDS * WORLD, pair=2 * PAIRS * WORLD)
    images, labels = {}, {}
    for stream in range(4):
        kind = 'cls' if stream < 2 else 'pair'
        images[stream] = torch.randn(n[kind], 3, SIZE, SIZE, generator=g,
                                     dtype=torch.float64)
        if kind == 'cls':
            labels[stream] = torch.randperm(CLASSES, generator=g)[:n[kind]]
        else:  # same-identity pairs a0, b0, a1, b1, ...
            labels[stream] = torch.randint(
                CLASSES, (n[kind] // 2, ), generator=g).repeat_interleave(2)
            # the second image a noisy copy: positive cosines
            images[stream][1::2] = images[stream][0::2] + 0.1 * \
                images[stream][1::2]
    inputs, samples = [], []
    for stream in range(4):
        share = len(labels[stream]) // WORLD
        rows = slice(rank * share, (rank + 1) * share) if world > 1 else \
            slice(None)
        inputs.append(images[stream][rows])
        samples += [
            DataSample(metainfo=dict(ddl_stream=stream)).set_gt_label(
                int(y)) for y in labels[stream][rows]
        ]
    return dict(inputs=torch.cat(inputs), data_samples=samples)


def train(model, rank: int, world: int):
    """``STEPS`` SGD steps through ``train_step``; BN layers in eval mode
    (a split batch would otherwise normalise by other statistics)."""
    from mmengine.optim import OptimWrapper
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.05,
                                           momentum=0.9))
    model.train()
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.eval()
    for step in range(STEPS):
        model.train_step(batch(rank, world, step), wrapper)
    inner = getattr(model, 'module', model)
    return {k: v.detach().clone() for k, v in inner.state_dict().items()}


def _ddp_part(rank: int) -> Dict[str, dict]:
    from mmengine.model import MMDistributedDataParallel
    out = {}
    for gradient in ('exact', 'official'):
        ddp = MMDistributedDataParallel(module=build_model(gradient),
                                        broadcast_buffers=False)
        out[gradient] = train(ddp, rank, WORLD)
    return out


def main(init_method: str, out_dir: str) -> None:
    import torch.distributed as dist
    rank = int(os.environ['RANK'])
    dist.init_process_group('gloo', init_method=init_method, rank=rank,
                            world_size=int(os.environ['WORLD_SIZE']))
    result = dict(gather=_gather_part(rank), ddp=_ddp_part(rank))
    torch.save(result, f'{out_dir}/rank{rank}.pth')
    dist.destroy_process_group()


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
