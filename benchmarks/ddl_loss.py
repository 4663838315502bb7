# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DistributionDistillationLoss cost as a fraction of the backbone step.

In one run, on the same device: the forward + backward of the IResNet
backbone on a batch of ``--batch`` images, and the forward + backward of
DDL (1000 bins by default) on embeddings of the same batch split as the
four DDL streams (two classification streams of batch/4 images, two pair
streams of batch/8 pairs). Prints the times, the memory (peak allocated on
CUDA; on the CPU the bytes of the tensors autograd saves for backward) and
the DDL / backbone ratios.

    python benchmarks/ddl_loss.py [--batch 512] [--bins 1000] [--arch ir50]
        [--input-size 112] [--dim 512] [--reps 5] [--device cpu|cuda]
"""
import argparse
import time
from typing import Callable, Tuple

import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.ddl  # noqa: F401


def _memory(fn: Callable[[], None], device: str) -> int:
    """Peak CUDA memory of ``fn``, or the bytes autograd saves on the CPU."""
    if device == 'cuda':
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        fn()
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated() - base
    saved = [0]

    def pack(t: torch.Tensor) -> torch.Tensor:
        saved[0] += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return saved[0]


def _seconds(fn: Callable[[], None], reps: int, device: str) -> float:
    fn()  # warm-up
    if device == 'cuda':
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(reps):
        fn()
    if device == 'cuda':
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / reps


def _streams(feats: torch.Tensor) -> Tuple[list, list, list]:
    """Four equal streams: two classification, two of pairs (a, b)."""
    cls_e, cls_h, pair_e, pair_h = feats.chunk(4)
    return ([cls_e, cls_h], [pair_e[0::2],
                             pair_h[0::2]], [pair_e[1::2], pair_h[1::2]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch', type=int, default=512)
    parser.add_argument('--bins', type=int, default=1000)
    parser.add_argument('--arch', default='ir50')
    parser.add_argument('--input-size', type=int, default=112)
    parser.add_argument('--dim', type=int, default=512)
    parser.add_argument('--reps', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    backbone = MODELS.build(
        dict(type='IResNet',
             arch=args.arch,
             input_size=args.input_size,
             embedding_dim=args.dim)).to(args.device).train()
    loss = MODELS.build(
        dict(type='DistributionDistillationLoss',
             num_bins=args.bins,
             bin_step=1.0 / args.bins,
             skip_empty_positives=True))
    images = torch.randn(args.batch,
                         3,
                         args.input_size,
                         args.input_size,
                         device=args.device)
    feats = torch.randn(args.batch, args.dim, device=args.device)
    # Positive pairs close to each other, as after pre-training.
    feats[1::2] = feats[0::2] + 0.5 * torch.randn_like(feats[0::2])
    feats.requires_grad_(True)

    def backbone_step() -> None:
        out = backbone(images)
        (out[-1] if isinstance(out, tuple) else out).sum().backward()

    def ddl_step() -> None:
        loss(*_streams(feats)).backward()

    t_bb = _seconds(backbone_step, args.reps, args.device)
    t_ddl = _seconds(ddl_step, args.reps, args.device)
    m_bb = _memory(backbone_step, args.device)
    m_ddl = _memory(ddl_step, args.device)
    print(f'device {args.device}, batch {args.batch}, {args.bins} bins, '
          f'backbone {args.arch} {args.input_size}x{args.input_size} '
          f'{args.dim}-d')
    print(f'backbone step  {t_bb * 1e3:9.2f} ms  {m_bb / 2**20:9.2f} MiB')
    print(f'DDL step       {t_ddl * 1e3:9.2f} ms  {m_ddl / 2**20:9.2f} MiB')
    print(f'DDL / backbone time {t_ddl / t_bb:.4f}  memory '
          f'{m_ddl / max(m_bb, 1):.4f}')


if __name__ == '__main__':
    main()
