# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Rank script of the whole-batch class-weight test (``run_ranks``):
``python _class_weight_worker.py INIT_METHOD OUT_DIR``. Each rank takes its
half of a fixed batch; the test computes the 1-process reference with
``batch`` and ``loss_and_grad``."""
import os
import sys
from pathlib import Path

import torch

if __name__ == '__main__':  # run as a script: make ``projects`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from projects.sematree import (InverseFrequencyNLLLoss,  # noqa: E402
                               inverse_frequency_weights)

WORLD, CLASSES = 2, 4


def batch():
    """Log-probabilities (4, C, 3, 5) and targets with an ignored pixel;
    rank 0's half has no class 3, rank 1's no class 1."""
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(4, CLASSES, 3, 5, generator=g, dtype=torch.float64)
    target = torch.randint(0, CLASSES, (4, 3, 5), generator=g)
    target[:2][target[:2] == 3] = 0
    target[2:][target[2:] == 1] = 2
    target[0, 0, 0] = 255
    return torch.log_softmax(logits, dim=1), target


def loss_and_grad(log_probs, target, whole_batch: bool):
    """The loss and its gradient w.r.t. ``log_probs``."""
    leaf = log_probs.clone().requires_grad_(True)
    loss = InverseFrequencyNLLLoss(loss_weight=3.0,
                                   whole_batch=whole_batch)(leaf, target)
    loss.backward()
    return loss.detach(), leaf.grad


def main(init_method: str, out_dir: str) -> None:
    import torch.distributed as dist
    rank = int(os.environ['RANK'])
    dist.init_process_group('gloo', init_method=init_method, rank=rank,
                            world_size=WORLD)
    log_probs, target = batch()
    rows = slice(2 * rank, 2 * rank + 2)
    out = {}
    for whole in (True, False):
        loss, grad = loss_and_grad(log_probs[rows], target[rows], whole)
        weights = inverse_frequency_weights(target[rows], CLASSES,
                                            across_ranks=whole)
        out[whole] = dict(loss=loss, grad=grad, weights=weights)
    torch.save(out, f'{out_dir}/rank{rank}.pth')
    dist.destroy_process_group()


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
