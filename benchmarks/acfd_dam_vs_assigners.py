# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DAM assign time and peak memory vs mmdet MaxIoUAssigner and ATSSAssigner,
at 20k and 100k anchors x 10 and 100 faces; the last line is DAM's worst
time and peak-memory ratios to MaxIoUAssigner over the sizes (targets <= 1.5
and <= 1.2)::

    python benchmarks/acfd_dam_vs_assigners.py [--anchors 20000 100000]
"""
import argparse
import os
from typing import Tuple

import torch
from acfd_timing import median_ms, peak_memory_mb
from mmdet.models.task_modules import ATSSAssigner, MaxIoUAssigner
from mmengine.structures import InstanceData

from projects.acfd import DynamicAnchorAssigner


def _boxes(num: int, size: float, lo: float, hi: float,
           generator: torch.Generator) -> torch.Tensor:
    wh = lo + (hi - lo) * torch.rand(num, 2, generator=generator)
    xy = (size - wh) * torch.rand(num, 2, generator=generator)
    return torch.cat([xy, xy + wh], dim=1)


def _inputs(num_anchors: int, num_faces: int,
            device: str) -> Tuple[InstanceData, InstanceData, list]:
    g = torch.Generator().manual_seed(0)
    anchors = _boxes(num_anchors, 1024, 8, 256, g).to(device)
    faces = _boxes(num_faces, 1024, 8, 256, g).to(device)
    pred = InstanceData(priors=anchors,
                        bboxes=anchors + torch.randn(anchors.shape,
                                                     generator=g).to(device))
    gt = InstanceData(bboxes=faces,
                      labels=torch.zeros(num_faces, dtype=torch.long,
                                         device=device))
    # ATSS picks candidates per pyramid level: split the anchors in 5.
    levels = [num_anchors // 5] * 4
    return pred, gt, levels + [num_anchors - sum(levels)]


def _load() -> str:
    return ' '.join(f'{x:.2f}' for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--anchors', type=int, nargs='+',
                        default=[20000, 100000])
    parser.add_argument('--faces', type=int, nargs='+', default=[10, 100])
    parser.add_argument('--repeats', type=int, default=15)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=0,
                        help='torch CPU threads (0: leave the default)')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    assigners = dict(
        DAM=DynamicAnchorAssigner(),
        MaxIoU=MaxIoUAssigner(pos_iou_thr=0.5, neg_iou_thr=0.4,
                              min_pos_iou=0),
        ATSS=ATSSAssigner(topk=9))
    print(f'{args.device}, {torch.get_num_threads()} threads, median of '
          f'{args.repeats} interleaved calls; time ms / peak MB; ratios are '
          f'DAM / other; load average {_load()} (1, 5, 15 min)')
    worst_time, worst_mem = 0.0, 0.0
    for num_anchors in args.anchors:
        for num_faces in args.faces:
            pred, gt, levels = _inputs(num_anchors, num_faces, args.device)
            calls = dict(
                DAM=lambda: assigners['DAM'].assign(pred, gt),
                MaxIoU=lambda: assigners['MaxIoU'].assign(pred, gt),
                ATSS=lambda: assigners['ATSS'].assign(pred, levels, gt))
            ms = median_ms(calls, args.repeats, 1, args.device)
            mb = {k: peak_memory_mb(f, args.device)
                  for k, f in calls.items()}
            cells = ' | '.join(f'{k} {ms[k]:.1f} ms {mb[k]:.0f} MB'
                               for k in calls)
            print(f'{num_anchors} anchors x {num_faces} faces: {cells} | '
                  f"time ratio vs MaxIoU {ms['DAM'] / ms['MaxIoU']:.2f}, "
                  f"vs ATSS {ms['DAM'] / ms['ATSS']:.2f}; memory ratio vs "
                  f"MaxIoU {mb['DAM'] / mb['MaxIoU']:.2f}")
            worst_time = max(worst_time, ms['DAM'] / ms['MaxIoU'])
            worst_mem = max(worst_mem, mb['DAM'] / mb['MaxIoU'])
    print(f'load average {_load()}')
    print(f'ratio DAM/MaxIoU, worst over sizes: time {worst_time:.2f} '
          f'(target <= 1.5), peak memory {worst_mem:.2f} (target <= 1.2)')


if __name__ == '__main__':
    main()
