# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ABi-FPN vs mmdet FPN: forward+backward time at the same channels and
levels (3 inputs at strides 8-32, extra levels to ``--num-outs``), as in a
training step (gradients reset to None first), the two necks timed call by
call in turn; the last line is the time ratio::

    python benchmarks/acfd_abifpn_vs_fpn.py [--size 256 [WIDTH]] [--threads 2]
        [--no-cpu-kernels]

``--size 1088 1920`` is the ACFD config's 1920x1080 input padded to a
multiple of 64 (its ``pad_size_divisor``).

``--no-cpu-kernels`` runs ABiFPN's fusion nodes on PyTorch's operators
instead of the project's compiled CPU kernels (``projects/acfd/csrc``).

``--depthwise-bound`` also times the convolutions alone: ABi-FPN's
depthwise + pointwise pairs against as many dense 3x3 convolutions of the
same width, at the same sizes (what the CPU kernels of the paper's
depthwise-separable design cost per FLOP).
"""
import argparse
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
from acfd_timing import median_ms, run_conditions, size_mb
from mmdet.models.necks import FPN

from projects.acfd import ABiFPN
from projects.acfd.abifpn import cpu_kernels_available


def _fwd_bwd(neck: torch.nn.Module, feats: List[torch.Tensor]) -> None:
    # as a training step: gradients reset to None (the optimizers' default
    # zero_grad), so that backward assigns them instead of adding to them
    neck.zero_grad(set_to_none=True)
    sum(o.mean() for o in neck(feats)).backward()


def _node_sizes(height: int, width: int,
                num_outs: int) -> List[Tuple[int, int]]:
    """Spatial sizes of the fusion nodes of one ABi-FPN layer (top-down
    levels ``num_outs - 2 .. 0``, then bottom-up ``1 .. num_outs - 1``)."""
    sizes = [(height // 8 // 2**i, width // 8 // 2**i)
             for i in range(num_outs)]
    return sizes[:-1] + sizes[1:]


def _conv_bound(args: argparse.Namespace) -> Dict[str, float]:
    """Forward+backward of ABi-FPN's fusion convs alone: depthwise 3x3 +
    pointwise 1x1 vs dense 3x3, channels-last, one per fusion node."""
    c = args.channels
    sizes = _node_sizes(*args.size, args.num_outs) * args.repeats_abifpn
    xs = [torch.rand(2, c, h, w).contiguous(
        memory_format=torch.channels_last).requires_grad_()
        for h, w in sizes]
    dw = torch.rand(c, 1, 3, 3, requires_grad=True)
    pw = torch.rand(c, c, 1, 1, requires_grad=True)
    dense = torch.rand(c, c, 3, 3, requires_grad=True)

    def separable() -> None:
        sum(F.conv2d(F.conv2d(x, dw, padding=1, groups=c), pw).mean()
            for x in xs).backward()

    def dense_convs() -> None:
        sum(F.conv2d(x, dense, padding=1).mean() for x in xs).backward()

    ms = median_ms(dict(separable=separable, dense=dense_convs),
                   args.repeats, 1, args.device)
    macs = sum(2 * h * w for h, w in sizes) * c
    print(f'{len(sizes)} fusion convs alone, forward+backward: depthwise '
          f'3x3 + pointwise {ms["separable"]:.1f} ms '
          f'({macs * (9 + c) / 1e6:.0f} M multiply-adds forward), dense 3x3 '
          f'{ms["dense"]:.1f} ms ({macs * 9 * c / 1e6:.0f} M); time per '
          f'multiply-add separable / dense '
          f'{ms["separable"] / (9 + c) / (ms["dense"] / (9 * c)):.1f}')
    return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--in-channels', type=int, nargs=3,
                        default=[512, 768, 1024])
    parser.add_argument('--channels', type=int, default=128)
    parser.add_argument('--num-outs', type=int, default=5)
    parser.add_argument('--repeats-abifpn', type=int, default=3,
                        help='ABiFPN num_repeats')
    parser.add_argument('--size', type=int, nargs='+', default=[256],
                        help='image side, or height and width')
    parser.add_argument('--repeats', type=int, default=15)
    parser.add_argument('--threads', type=int, default=2,
                        help='torch CPU threads (0: leave the default)')
    parser.add_argument('--depthwise-bound', action='store_true')
    parser.add_argument('--no-cpu-kernels', action='store_true',
                        help='ABiFPN without its compiled CPU kernels')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    if len(args.size) > 2:
        parser.error(f'--size takes a side or height and width, got '
                     f'{args.size}')
    args.size = args.size * (3 - len(args.size))
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    height, width = args.size
    feats = [
        torch.rand(2, c, height // s, width // s, device=args.device)
        for c, s in zip(args.in_channels, (8, 16, 32))
    ]
    necks = dict(
        FPN=FPN(args.in_channels, args.channels, args.num_outs,
                add_extra_convs='on_input'),
        ABiFPN=ABiFPN(args.in_channels, args.channels, args.num_outs,
                      num_repeats=args.repeats_abifpn,
                      cpu_kernels=not args.no_cpu_kernels))
    for neck in necks.values():
        neck.to(args.device).train()
    if args.depthwise_bound:
        _conv_bound(args)
    results = median_ms(
        {name: (lambda n=neck: _fwd_bwd(n, feats))
         for name, neck in necks.items()}, args.repeats, 1, args.device)
    for name, neck in necks.items():
        print(f'{name}: forward+backward {results[name]:.1f} ms, '
              f'{size_mb(neck)[0]:.3f} M params')
    print(f'inputs 2x{args.in_channels} at {height}x{width} px / strides '
          f'8-32, {args.channels} channels, {args.num_outs} levels, median '
          f'of {args.repeats}; ABiFPN compiled CPU kernels '
          f'{"off" if args.no_cpu_kernels else "on"} (built: '
          f'{cpu_kernels_available()}); {run_conditions(args.device)}')
    print(f"ABiFPN/FPN time ratio {results['ABiFPN'] / results['FPN']:.2f}")


if __name__ == '__main__':
    main()
