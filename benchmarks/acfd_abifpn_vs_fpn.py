# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ABi-FPN vs mmdet FPN: forward+backward time at the same channels and
levels (3 inputs at strides 8-32, extra levels to ``--num-outs``)::

    python benchmarks/acfd_abifpn_vs_fpn.py [--channels 128] [--size 512]
"""
import argparse

import torch
from acfd_timing import median_ms, size_mb
from mmdet.models.necks import FPN

from projects.acfd import ABiFPN


def _fwd_bwd(neck: torch.nn.Module, feats) -> None:
    sum(o.mean() for o in neck(feats)).backward()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--in-channels', type=int, nargs=3,
                        default=[512, 768, 1024])
    parser.add_argument('--channels', type=int, default=128)
    parser.add_argument('--num-outs', type=int, default=5)
    parser.add_argument('--repeats-abifpn', type=int, default=3,
                        help='ABiFPN num_repeats')
    parser.add_argument('--size', type=int, default=512, help='image side')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    torch.manual_seed(0)
    feats = [
        torch.rand(2, c, args.size // s, args.size // s, device=args.device)
        for c, s in zip(args.in_channels, (8, 16, 32))
    ]
    necks = dict(
        FPN=FPN(args.in_channels, args.channels, args.num_outs,
                add_extra_convs='on_input'),
        ABiFPN=ABiFPN(args.in_channels, args.channels, args.num_outs,
                      num_repeats=args.repeats_abifpn))
    for neck in necks.values():
        neck.to(args.device).train()
    results = median_ms(
        {name: (lambda n=neck: _fwd_bwd(n, feats))
         for name, neck in necks.items()}, args.repeats, 1, args.device)
    for name, neck in necks.items():
        print(f'{name}: forward+backward {results[name]:.1f} ms, '
              f'{size_mb(neck)[0]:.3f} M params')
    print(f'inputs 2x{args.in_channels} at {args.size}px / strides 8-32, '
          f'{args.channels} channels, {args.num_outs} levels, '
          f'{args.device}, median of {args.repeats}')
    print(f"ABiFPN/FPN time ratio {results['ABiFPN'] / results['FPN']:.2f}")


if __name__ == '__main__':
    main()
