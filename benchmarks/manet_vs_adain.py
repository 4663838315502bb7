# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet vs AdaIN (same normalised VGG-19 and decoder, full widths) in one
run: time per image, peak memory and parameters at 256 and 512 pixels, then
the cost of MANet's attention as the content grows from 512 to 1024 pixels
a side, and where the full attention maps stop fitting in memory.

Each memory measurement runs in a fresh process (spawn) so that its peak
is its own: on CUDA ``max_memory_allocated``, on the CPU the rise of the
peak resident set (``ru_maxrss``) over the process after building the
model. Times are medians of ``--repeat`` runs after a warm-up
(CUDA-synchronised), the two models' runs alternated in one process so
that the load of a shared machine weighs on both alike::

    python benchmarks/manet_vs_adain.py --sizes 256 512 \\
        --attention-sizes 512 640 768 896 1024 --repeat 3

Attention study: the multi-adaptation module alone on relu4_1 features
(``C = 512``, ``N = (S/8)^2`` positions). The content SA and then the CA
each hold an ``N x N`` fp32 map and its softmax (8 N^2 bytes at the peak).
Beyond the memory budget
(``--budget-gb``, default: available memory of the device), the module is
run with ``max_attention_elements`` set, i.e. in query chunks, which keeps
the maps at that many entries and gives the same output.
"""
import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from os import path as osp
from typing import Dict, List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch  # noqa: E402


def _models() -> Dict[str, dict]:
    encoder = dict(type='NormalisedVGG19Encoder')
    decoder = dict(type='MirrorVGGDecoder')
    return dict(
        MANet=dict(
            type='MANetStyleTransfer',
            encoder=encoder,
            ma_module=dict(type='MultiAdaptationModule'),
            decoder=decoder),
        AdaIN=dict(
            type='AdaINStyleTransfer', encoder=encoder, decoder=decoder))


def _peak_bytes(device: str) -> int:
    if device.startswith('cuda'):
        return torch.cuda.max_memory_allocated()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def _timed(fn, repeat: int, device: str) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        _sync(device)
        start = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _measure_model(name: str, size: int, device: str, queue) -> None:
    import projects.manet  # noqa: F401
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(_models()[name]).to(device).eval()
    params = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for name_, p in model.named_parameters()
                    if not name_.startswith('encoder.'))
    content = torch.rand(1, 3, size, size, device=device)
    style = torch.rand(1, 3, size, size, device=device)
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    base = _peak_bytes(device) if device.startswith('cuda') else \
        _current_rss()
    with torch.no_grad():
        model.stylise(content, style)
    queue.put(dict(peak=_peak_bytes(device) - base, params=params,
                   trainable=trainable))


def _time_pair(size: int, repeat: int, device: str, queue) -> None:
    """Median seconds of both models, their runs alternated in one process
    so that a shared machine's load weighs on both alike."""
    import projects.manet  # noqa: F401
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    models = {
        name: MODELS.build(cfg).to(device).eval()
        for name, cfg in _models().items()
    }
    content = torch.rand(1, 3, size, size, device=device)
    style = torch.rand(1, 3, size, size, device=device)
    times = {name: [] for name in models}
    with torch.no_grad():
        for model in models.values():
            model.stylise(content, style)  # warm-up
        for _ in range(repeat):
            for name, model in models.items():
                _sync(device)
                start = time.perf_counter()
                model.stylise(content, style)
                _sync(device)
                times[name].append(time.perf_counter() - start)
    queue.put({name: statistics.median(t) for name, t in times.items()})


def _measure_attention(size: int, limit: Optional[int], repeat: int,
                       device: str, queue) -> None:
    import projects.manet  # noqa: F401
    from projects.manet import MultiAdaptationModule
    torch.manual_seed(0)
    module = MultiAdaptationModule(
        512, max_attention_elements=limit).to(device).eval()
    side = -(-size // 8)
    feat = torch.randn(1, 512, side, side, device=device)
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    base = _peak_bytes(device) if device.startswith('cuda') else \
        _current_rss()
    try:
        with torch.no_grad():
            seconds = _timed(lambda: module(feat, feat), repeat, device)
        queue.put(dict(seconds=seconds, peak=_peak_bytes(device) - base))
    except (RuntimeError, MemoryError) as err:  # out of memory
        queue.put(dict(error=type(err).__name__ + ': ' + str(err)[:80]))


def _current_rss() -> int:
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def _in_child(target, *args) -> dict:
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        return dict(error=f'process exited with {proc.exitcode} '
                    '(killed: out of memory?)')
    return queue.get()


def _available_bytes(device: str) -> int:
    if device.startswith('cuda'):
        free, _ = torch.cuda.mem_get_info()
        return free
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith('MemAvailable:'):
                return int(line.split()[1]) * 1024
    raise RuntimeError('no MemAvailable in /proc/meminfo')


def _attention_bytes(size: int) -> int:
    """Bytes of the largest attention state alive at once: one N x N fp32
    map and its softmax (the content SA's are freed before the CA's)."""
    n = (-(-size // 8))**2
    return 2 * n * n * 4


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', type=int, nargs='*', default=[256, 512],
                        help='model comparison sizes (none: skip it)')
    parser.add_argument('--attention-sizes', type=int, nargs='+',
                        default=[512, 640, 768, 896, 1024])
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--budget-gb', type=float, default=None,
                        help='memory budget of the attention study '
                        '(default: available memory now)')
    parser.add_argument('--threads', type=int, default=0,
                        help='torch CPU threads (0: the default)')
    parser.add_argument('--chunk-elements', type=int, default=1 << 26,
                        help='max_attention_elements beyond the budget')
    args = parser.parse_args(argv)
    if args.threads:
        # children inherit it through the environment
        os.environ['OMP_NUM_THREADS'] = str(args.threads)
        torch.set_num_threads(args.threads)
    budget = (args.budget_gb * 2**30 if args.budget_gb else
              _available_bytes(args.device))
    print(f'device {args.device}, torch threads {torch.get_num_threads()}, '
          f'batch 1, median of {args.repeat} after a warm-up')
    print(f'{"model":6} {"size":>5} {"s/img":>8} {"peak MiB":>9} '
          f'{"params M":>9} {"trained M":>9}')
    rows = {}
    for size in args.sizes:
        seconds = _in_child(_time_pair, size, args.repeat, args.device)
        for name in ('MANet', 'AdaIN'):
            r = _in_child(_measure_model, name, size, args.device)
            r['seconds'] = seconds.get(name, float('nan'))
            rows[(name, size)] = r
            if 'error' in r:
                print(f'{name:6} {size:5d} {r["error"]}')
                continue
            print(f'{name:6} {size:5d} {r["seconds"]:8.3f} '
                  f'{r["peak"] / 2**20:9.1f} {r["params"] / 1e6:9.2f} '
                  f'{r["trainable"] / 1e6:9.2f}')
    print(f'\nattention (MA module on relu4_1, C=512), budget '
          f'{budget / 2**30:.1f} GiB')
    print(f'{"size":>5} {"N":>6} {"maps GiB":>9} {"mode":>8} {"s":>8} '
          f'{"peak MiB":>9}')
    for size in args.attention_sizes:
        need = _attention_bytes(size)
        limit = None if need <= budget else args.chunk_elements
        r = _in_child(_measure_attention, size, limit, 1, args.device)
        mode = 'full' if limit is None else 'chunked'
        n = (-(-size // 8))**2
        if 'error' in r:
            print(f'{size:5d} {n:6d} {need / 2**30:9.2f} {mode:>8} '
                  f'{r["error"]}')
            continue
        print(f'{size:5d} {n:6d} {need / 2**30:9.2f} {mode:>8} '
              f'{r["seconds"]:8.3f} {r["peak"] / 2**20:9.1f}')
    side = 8 * int((budget / 8)**0.25)
    print(f'full attention maps fit up to about {side} pixels a side in '
          f'{budget / 2**30:.1f} GiB; beyond, max_attention_elements runs '
          'the queries in chunks')
    ratios = []
    for size in args.sizes:
        manet, adain = rows[('MANet', size)], rows[('AdaIN', size)]
        if 'error' not in manet and 'error' not in adain:
            ratios.append(
                f'{size}: time x{manet["seconds"] / adain["seconds"]:.2f}, '
                f'memory x{manet["peak"] / max(1, adain["peak"]):.2f}, '
                f'params x{manet["params"] / adain["params"]:.2f}')
    if ratios:
        print('MANet / AdaIN ratio ' + '; '.join(ratios))


if __name__ == '__main__':
    main()
