# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""AOSA re-parameterisation: deployed vs train-time VoVNetV3 latency.

``switch_to_deploy()`` fuses each asymmetric block (3x3 + 1x3 + 3x1 with
their norms) into one 3x3 convolution; the deployed backbone must be faster
with the same outputs. Prints both medians and their ratio::

    python benchmarks/acfd_aosa_deploy.py [--arch V-19-slim] [--size 320]
"""
import argparse
import copy

import torch
from acfd_timing import median_ms

from projects.acfd import VoVNetV3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', default='V-19-slim')
    parser.add_argument('--size', type=int, default=320)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    torch.manual_seed(0)
    model = VoVNetV3(arch=args.arch, out_indices=(0, 1, 2, 3))
    model.init_weights()
    model = model.to(args.device).eval()
    fused = copy.deepcopy(model)
    fused.switch_to_deploy()
    x = torch.rand(1, 3, args.size, args.size, device=args.device)
    with torch.no_grad():
        err = max(((a - b).abs().max() / a.abs().max()).item()
                  for a, b in zip(model(x), fused(x)))
        ms = median_ms(dict(train=lambda: model(x), deploy=lambda: fused(x)),
                       args.repeats, 1, args.device)
    train_ms, deploy_ms = ms['train'], ms['deploy']
    print(f'VoVNetV3 {args.arch}, 1x3x{args.size}x{args.size} on '
          f'{args.device}, median of {args.repeats}')
    print(f'train-time {train_ms:.1f} ms | deployed {deploy_ms:.1f} ms | '
          f'deployed/train-time {deploy_ms / train_ms:.3f} | '
          f'max relative output error {err:.2e}')


if __name__ == '__main__':
    main()
