# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ARFlow / PWC-Lite costs measured in one run.

1. Correlation (search range 4): ``FlowCorrelation`` (one shifted view per
   displacement) vs two alternatives on the 1/4-level features of a
   448x1024 input (32 channels, 112x256): the row-batched variant (9 row
   shifts, all column shifts through a strided view and ``einsum``) and a
   naive per-pixel loop (timed on a 16x16 crop and scaled by the pixel
   count, it is far too slow at full size); outputs checked equal.
2. PWC-Lite forward at 448x1024 (Sintel) and 384x640 (KITTI): parameters,
   FLOPs (multiply-adds, mmengine's analyzer; correlation and warping are
   not counted) and median time.
3. One training iteration (forward + backward + Adam) of ``ARFlow`` with and
   without the AR pass on a batch of ``--train-size`` crops.
Ratios are printed last. On the CPU the times are process CPU seconds
with ``--threads`` torch threads (default 1), so a shared, loaded machine
still gives comparable numbers; on CUDA they are wall seconds after
synchronisation, and mmcv's ``Correlation`` is compared too
(``--device cuda``)::

    python benchmarks/arflow_pwclite.py --repeat 3
"""
import argparse
import statistics
import sys
import time
from os import path as osp
from typing import Callable, List

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mmengine.analysis import FlopAnalyzer  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402

import projects.arflow  # noqa: E402,F401
from projects.arflow.models import FlowCorrelation, PWCLite  # noqa: E402


def row_batched_correlation(f1: torch.Tensor, f2: torch.Tensor,
                            d: int = 4) -> torch.Tensor:
    """9 row shifts; the 9 column shifts of a row via a strided view."""
    height, width = f1.shape[-2:]
    padded = F.pad(f2, [d] * 4)
    rows = [
        torch.einsum('bchw,bchkw->bkhw', f1,
                     padded[:, :, i:i + height].unfold(3, width, 1))
        for i in range(2 * d + 1)
    ]
    return torch.cat(rows, 1) / f1.shape[1]


def pixel_loop_correlation(f1: torch.Tensor, f2: torch.Tensor,
                           d: int = 4) -> torch.Tensor:
    """The naive reference: every pixel and displacement in Python."""
    batch, channels, height, width = f1.shape
    out = f1.new_zeros(batch, (2 * d + 1)**2, height, width)
    for y in range(height):
        for x in range(width):
            for k, (dy, dx) in enumerate((i, j) for i in range(-d, d + 1)
                                         for j in range(-d, d + 1)):
                if 0 <= y + dy < height and 0 <= x + dx < width:
                    out[:, k, y, x] = (f1[:, :, y, x] *
                                       f2[:, :, y + dy, x + dx]).mean(1)
    return out


def median_time(fn: Callable[[], object], repeat: int,
                device: str) -> float:
    fn()  # warm-up
    clock = time.perf_counter if device == 'cuda' else time.process_time
    times: List[float] = []
    for _ in range(repeat):
        if device == 'cuda':
            torch.cuda.synchronize()
        start = clock()
        fn()
        if device == 'cuda':
            torch.cuda.synchronize()
        times.append(clock() - start)
    return statistics.median(times)


def bench_correlation(device: str, repeat: int) -> dict:
    torch.manual_seed(0)
    f1 = torch.randn(1, 32, 112, 256, device=device)
    f2 = torch.randn(1, 32, 112, 256, device=device)
    ours = FlowCorrelation(4).to(device)
    crop1, crop2 = f1[..., :16, :16], f2[..., :16, :16]
    scale = f1.shape[-1] * f1.shape[-2] / 256
    with torch.no_grad():
        err = max((ours(f1, f2) - row_batched_correlation(f1, f2)).abs().max(),
                  (ours(crop1, crop2) -
                   pixel_loop_correlation(crop1, crop2)).abs().max())
        res = dict(
            ours=median_time(lambda: ours(f1, f2), repeat, device),
            rows=median_time(lambda: row_batched_correlation(f1, f2), repeat,
                             device),
            loop=scale * median_time(
                lambda: pixel_loop_correlation(crop1, crop2), 1, device),
            max_abs_diff=float(err))
        if device == 'cuda':
            mmcv = FlowCorrelation(4, use_mmcv=True).to(device)
            res['mmcv_max_abs_diff'] = float(
                (mmcv(f1, f2) - ours(f1, f2)).abs().max())
            res['mmcv'] = median_time(lambda: mmcv(f1, f2), repeat, device)
    return res


def bench_forward(device: str, repeat: int, size) -> dict:
    model = PWCLite().to(device).eval()
    imgs = torch.rand(1, 6, *size, device=device)
    with torch.no_grad():
        flops = FlopAnalyzer(model, (imgs, )).total()
        seconds = median_time(lambda: model(imgs), repeat, device)
    params = sum(p.numel() for p in model.parameters())
    return dict(params=params, gflops=flops / 1e9, seconds=seconds)


def bench_train_iter(device: str, repeat: int, size, with_ar: bool) -> float:
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='ARFlow', flow_net=dict(type='PWCLite'),
             loss=dict(type='UnFlowLoss'), with_ar=with_ar,
             ar_transform=dict(type='RandomAffineFlow'))).to(device)
    optim = torch.optim.Adam(model.parameters(), lr=1e-4)
    imgs = torch.rand(2, 6, *size, device=device)

    def step():
        losses = model.loss(dict(imgs=imgs, imgs_ph=imgs))
        loss = sum(v for k, v in losses.items() if k.startswith('loss'))
        optim.zero_grad()
        loss.backward()
        optim.step()

    return median_time(step, repeat, device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--train-size', type=int, nargs=2, default=[128, 256])
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    corr = bench_correlation(args.device, args.repeat)
    print(f'correlation 32x112x256: ours {corr["ours"] * 1e3:.1f} ms, '
          f'row-batched {corr["rows"] * 1e3:.1f} ms, per-pixel loop '
          f'{corr["loop"]:.1f} s (scaled from 16x16), max |diff| '
          f'{corr["max_abs_diff"]:.2e}')
    if 'mmcv' in corr:
        print(f'mmcv Correlation {corr["mmcv"] * 1e3:.2f} ms, max |diff| '
              f'to ours {corr["mmcv_max_abs_diff"]:.2e}')
    fwd = {}
    for size in ((448, 1024), (384, 640)):
        fwd[size] = bench_forward(args.device, args.repeat, size)
        r = fwd[size]
        print(f'PWC-Lite forward {size[0]}x{size[1]}: {r["params"]:,} '
              f'params, {r["gflops"]:.1f} GFLOPs, {r["seconds"]:.3f} s')
    size = tuple(args.train_size)
    plain = bench_train_iter(args.device, args.repeat, size, False)
    ar = bench_train_iter(args.device, args.repeat, size, True)
    print(f'train iteration (batch 2, {size[0]}x{size[1]}): '
          f'{plain:.3f} s without AR, {ar:.3f} s with AR')
    print('ratios: correlation per-pixel loop / ours = '
          f'{corr["loop"] / corr["ours"]:.0f}, row-batched / ours = '
          f'{corr["rows"] / corr["ours"]:.2f}; forward 448x1024 / 384x640 = '
          f'{fwd[(448, 1024)]["seconds"] / fwd[(384, 640)]["seconds"]:.2f}; '
          f'train iteration with / without AR = {ar / plain:.2f}')


if __name__ == '__main__':
    main()
