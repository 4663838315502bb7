# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DeepMPV+ end-to-end CPU latency per photo and model sizes, against the
same pipeline with a ResNet-50 matcher.

One generated palm photo goes through the full-width tiny-YOLOv3 detector
at 416 (``configs/deepmpv/deepmpv_tiny-yolov3_1xb16-100e_mpd-gap-416.py``),
the script's ROI cut (2.5 L square, bicubic to 224) from the photo's true
points (random detector weights find none), and the matcher at 224:
MobileFaceNet (``deepmpv_mobilefacenet-224_arcface_1xb64-40e_mpd-roi.py``)
or mmpretrain's ResNet-50 with global average pooling. Weights are random;
the cost does not depend on them. Median of ``--reps`` runs after
``--warmup``; sizes are float32 parameters and buffers in MB (2^20 bytes).
The smartphone budget the paper targets is real time on a phone; this
measures what the CPU here does. The last line is the ratio ResNet-50 /
MobileFaceNet pipeline latency (and matcher size)::

    python benchmarks/deepmpv_latency.py [--photo 640] [--reps 20]
        [--threads 1]
"""
import argparse
import copy
import importlib.util
import os.path as osp
import time
from typing import Callable, Dict

import numpy as np
import torch
from mmengine.config import Config

from projects.deepmpv.apis import PalmVerifier
from projects.deepmpv.roi import PalmROIExtractor

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DET = osp.join(REPO, 'configs/deepmpv/deepmpv_tiny-yolov3_1xb16-100e_'
               'mpd-gap-416.py')
REC = osp.join(REPO, 'configs/deepmpv/deepmpv_mobilefacenet-224_arcface_'
               '1xb64-40e_mpd-roi.py')


def _photo(size: int):
    """A generated palm photo and its true points."""
    path = osp.join(REPO, 'tools/misc/make_palms.py')
    spec = importlib.util.spec_from_file_location('make_palms', path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rng = np.random.default_rng(0)
    img, pts = gen.render_photo(gen.hand_params(1, 'l', 0),
                                gen.subject_skin(1, 0), 'h', size, rng)
    return img, np.stack([pts['A'], pts['M'], pts['B']]), pts['P']


def _resnet50(cfg: Config) -> Config:
    """The matcher config with mmpretrain's ResNet-50 + GAP (2048-d)."""
    cfg = copy.deepcopy(cfg)
    cfg.model.backbone = dict(type='ResNet', depth=50)
    cfg.model.neck = dict(type='GlobalAveragePooling')
    cfg.model.head.in_channels = 2048
    return cfg


def _interleaved_ms(fns: Dict[str, Callable[[], object]], reps: int,
                   warmup: int) -> Dict[str, float]:
    """Median ms of each function, the runs alternating between them so a
    change of machine load hits all alike."""
    times: Dict[str, list] = {k: [] for k in fns}
    for rep in range(warmup + reps):
        for key, fn in fns.items():
            start = time.perf_counter()
            fn()
            if rep >= warmup:
                times[key].append(time.perf_counter() - start)
    return {k: float(np.median(v) * 1000) for k, v in times.items()}


def _size_mb(*modules: torch.nn.Module) -> float:
    tensors = [t for m in modules for t in (*m.parameters(), *m.buffers())]
    return sum(t.numel() * t.element_size() for t in tensors) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--photo', type=int, default=640,
                        help='photo side in pixels')
    parser.add_argument('--reps', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    img, gaps, centre = _photo(args.photo)
    rec = Config.fromfile(REC)
    verifiers = {
        name: PalmVerifier(DET, None, cfg, None,
                           PalmROIExtractor(out_size=224))
        for name, cfg in (('MobileFaceNet', rec),
                          ('ResNet-50', _resnet50(rec)))
    }
    first = verifiers['MobileFaceNet']
    roi = first.extractor(img, gaps, centre).roi
    fns = dict(detect=lambda: first.detect(img),
               roi=lambda: first.extractor(img, gaps, centre))
    fns.update({name: (lambda v=v: v.embed([roi]))
                for name, v in verifiers.items()})
    ms = _interleaved_ms(fns, args.reps, args.warmup)
    print(f'\nDeepMPV+ per photo ({args.photo}x{args.photo} photo, '
          f'detector 416, ROI 224; {args.threads} torch thread(s); '
          f'median of {args.reps}, runs interleaved):')
    print('matcher         detect ms  ROI ms  embed ms  total ms  '
          'detector MB  matcher MB')
    rows = {}
    for name, v in verifiers.items():
        m = v.matcher
        rows[name] = dict(
            embed=ms[name], total=ms['detect'] + ms['roi'] + ms[name],
            rec_mb=_size_mb(m.backbone, *([m.neck] if m.with_neck else [])))
        print(f"{name:<14} {ms['detect']:9.1f} {ms['roi']:7.2f} "
              f"{ms[name]:9.1f} {rows[name]['total']:9.1f} "
              f"{_size_mb(v.detector):12.2f} {rows[name]['rec_mb']:11.2f}")
    mfn, r50 = rows['MobileFaceNet'], rows['ResNet-50']
    print(f"ratio ResNet-50 / MobileFaceNet: pipeline latency "
          f"{r50['total'] / mfn['total']:.2f}x, matcher latency "
          f"{r50['embed'] / mfn['embed']:.2f}x, matcher size "
          f"{r50['rec_mb'] / mfn['rec_mb']:.2f}x")


if __name__ == '__main__':
    main()
