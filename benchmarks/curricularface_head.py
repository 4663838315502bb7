# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""CurricularFaceHead vs mmpretrain's ArcFaceClsHead: forward + backward.

Both heads at 512-d, batch 128, 10k and 100k classes (default), measured in
the same run on the same inputs; prints the time ratio (target <= 1.15x)
and the memory ratio: peak allocated memory on CUDA, or on the CPU the
bytes of the tensors autograd saves for backward (the activation memory of
the head; its weight is the same in both).

    python benchmarks/curricularface_head.py [--classes 10000 100000]
        [--batch 128] [--dim 512] [--reps 10] [--device cpu|cuda]
"""
import argparse
import time
from typing import Callable, Dict

import numpy as np
import torch
from mmengine.registry import init_default_scope

import projects.curricularface  # noqa: F401
from mmpretrain.registry import MODELS


def _build(head_type: str, num_classes: int, dim: int, device: str):
    head = MODELS.build(
        dict(type=head_type, num_classes=num_classes, in_channels=dim))
    return head.to(device).train()


def _step(head, feats: torch.Tensor, target: torch.Tensor) -> None:
    logits = head((feats, ), target)
    torch.nn.functional.cross_entropy(logits, target).backward()


def _saved_bytes(fn: Callable[[], None]) -> int:
    """Bytes of the tensors autograd saves while ``fn`` runs."""
    total = [0]

    def pack(t: torch.Tensor) -> torch.Tensor:
        total[0] += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return total[0]


def _time_once(head, feats, target, device: str) -> float:
    sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)
    head.zero_grad(set_to_none=True)
    feats.grad = None
    sync()
    start = time.perf_counter()
    _step(head, feats, target)
    sync()
    return time.perf_counter() - start


def _peak_memory(head, feats, target, device: str) -> float:
    """Peak CUDA allocation, or autograd saved-tensor bytes on the CPU."""
    run = lambda: _step(head, feats, target)  # noqa: E731
    if device != 'cuda':
        return float(_saved_bytes(run))
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    run()
    torch.cuda.synchronize()
    return float(torch.cuda.max_memory_allocated() - base)


def _compare(heads: Dict[str, torch.nn.Module], feats, target, reps: int,
             device: str) -> Dict[str, Dict[str, float]]:
    """Median time (heads alternated every repetition, so load changes of
    a shared machine hit both alike) and memory of each head."""
    for head in heads.values():  # warm-up
        for _ in range(2):
            _step(head, feats, target)
    times = {name: [] for name in heads}
    for _ in range(reps):
        for name, head in heads.items():
            times[name].append(_time_once(head, feats, target, device))
    return {
        name:
        dict(
            ms=float(np.median(times[name])) * 1e3,
            mb=_peak_memory(head, feats, target, device) / 2**20)
        for name, head in heads.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--classes', type=int, nargs='+', default=[10000, 100000])
    parser.add_argument('--batch', type=int, default=128)
    parser.add_argument('--dim', type=int, default=512)
    parser.add_argument('--reps', type=int, default=10)
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    args = parser.parse_args()
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    print(
        f'device={args.device} batch={args.batch} dim={args.dim} '
        f'reps={args.reps}; memory = '
        f"{'peak CUDA allocation' if args.device == 'cuda' else 'autograd saved tensors'}"
    )
    print('classes | ArcFace ms | Curricular ms | time ratio | '
          'ArcFace MB | Curricular MB | memory ratio')
    for num_classes in args.classes:
        feats = torch.randn(
            args.batch, args.dim, device=args.device, requires_grad=True)
        target = torch.randint(num_classes, (args.batch, ), device=args.device)
        heads = {
            name: _build(name, num_classes, args.dim, args.device)
            for name in ('ArcFaceClsHead', 'CurricularFaceHead')
        }
        res = _compare(heads, feats, target, args.reps, args.device)
        del heads
        arc, cur = res['ArcFaceClsHead'], res['CurricularFaceHead']
        print(f"{num_classes} | {arc['ms']:.2f} | {cur['ms']:.2f} | "
              f"{cur['ms'] / arc['ms']:.3f} | {arc['mb']:.1f} | "
              f"{cur['mb']:.1f} | {cur['mb'] / arc['mb']:.3f}")


if __name__ == '__main__':
    main()
