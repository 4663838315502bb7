# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Worker of the 2-process DDL gather test, importable by the spawned
processes (pytest's importlib mode makes test modules unimportable)."""
from types import SimpleNamespace

import torch
import torch.nn.functional as F

from projects.ddl import DDLFaceRecognizer, DistributionDistillationLoss

WORLD, PER_RANK, DIM = 2, 6, 8


def inputs():
    """Per branch (easy, hard): classification, pair-a and pair-b
    embeddings of the global batch, unit-normalised."""
    g = torch.Generator().manual_seed(0)
    return [[
        F.normalize(torch.randn(WORLD * PER_RANK, DIM, generator=g,
                                dtype=torch.float64), dim=1)
        for _ in range(3)
    ] for _ in range(2)]


def ddl_loss(model, groups):
    """Weighted DDL loss and the embedding leaves it was computed from."""
    leaves = [[f.clone().requires_grad_(True) for f in g] for g in groups]
    terms = DDLFaceRecognizer.ddl_terms(model, [b[0] for b in leaves],
                                        [b[1] for b in leaves],
                                        [b[2] for b in leaves])
    return model.ddl_loss.weighted(terms), leaves


def model_stub(gather: bool):
    """What ``ddl_terms`` uses of a ``DDLFaceRecognizer``."""
    return SimpleNamespace(gather_ddl_inputs=gather,
                           ddl_loss=DistributionDistillationLoss())


def worker(rank, port, out_dir):
    import torch.distributed as dist
    dist.init_process_group('gloo',
                            init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank,
                            world_size=WORLD)
    rows = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
    local = [[f[rows] for f in branch] for branch in inputs()]
    out = {}
    for gather in (True, False):
        loss, leaves = ddl_loss(model_stub(gather), local)
        loss.backward()
        out[gather] = dict(loss=loss.detach(),
                           grads=[[f.grad for f in b] for b in leaves])
    torch.save(out, f'{out_dir}/rank{rank}.pth')
    dist.destroy_process_group()
