# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Timing and peak-memory helpers shared by the ``benchmarks/acfd_*.py``
scripts (median wall time; peak CUDA memory, or peak process RSS on CPU)."""
import ctypes
import os
import os.path as osp
import statistics
import sys
import threading
import time
from typing import Callable, Dict, List, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import projects  # noqa: E402,F401  applies the compatibility fixes
import torch  # noqa: E402


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def median_ms(fns: Dict[str, Callable[[], object]], repeats: int = 5,
              warmup: int = 1, device: str = 'cpu') -> Dict[str, float]:
    """Median wall time of each ``fn()`` in milliseconds.

    The functions run interleaved, one call of each per round, so that a
    load change on a shared machine hits all of them alike and their ratios
    stay meaningful.
    """
    times: Dict[str, List[float]] = {name: [] for name in fns}
    for step in range(warmup + repeats):
        for name, fn in fns.items():
            _sync(device)
            start = time.perf_counter()
            fn()
            _sync(device)
            if step >= warmup:
                times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def _release_freed_memory() -> None:
    """Serve allocations over 64 kB by mmap (glibc), so that freed tensors
    leave the RSS at once instead of lingering in the heap: the RSS then
    follows the live memory whichever method ran before."""
    try:
        ctypes.CDLL('libc.so.6').mallopt(-3, 64 * 1024)  # M_MMAP_THRESHOLD
    except OSError:  # not glibc
        pass


def _rss_mb() -> float:
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * 4096 / 2**20


def peak_memory_mb(fn: Callable[[], object], device: str = 'cpu',
                   min_sampled_ms: float = 200.0) -> float:
    """Extra memory at the peak of ``fn()``: CUDA allocator peak on a GPU,
    process RSS sampled every millisecond on a CPU (coarser, but the same
    for every method compared). On a CPU ``fn`` runs again until
    ``min_sampled_ms`` have passed: one call of a few milliseconds gets a
    few samples, which can all miss its peak (freed memory leaves the RSS
    between calls, so repeating does not add up)."""
    if device.startswith('cuda'):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        fn()
        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    _release_freed_memory()
    base, peak, done = _rss_mb(), [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb())
            time.sleep(0.001)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    start = time.perf_counter()
    fn()
    while (time.perf_counter() - start) * 1000 < min_sampled_ms:
        fn()
    done.set()
    thread.join()
    return max(peak[0], _rss_mb()) - base


def size_mb(model: torch.nn.Module) -> Tuple[float, float]:
    """Parameters (millions) and fp32 size of the parameters (MB)."""
    params = sum(p.numel() for p in model.parameters())
    return params / 1e6, params * 4 / 2**20


def run_conditions(device: str = 'cpu') -> str:
    """Where a timing was taken: device, torch threads and the load average
    (other processes sharing the cores change CPU timings, most of all with
    more than one thread)."""
    load = ' / '.join(f'{x:.2f}' for x in os.getloadavg())
    return (f'{device}, {torch.get_num_threads()} torch threads, load '
            f'average {load} (1 / 5 / 15 min) on {os.cpu_count()} cores')
