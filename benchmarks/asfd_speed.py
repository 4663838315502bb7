# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ASFD speed, in one run against toolbox built-ins:

1. ASFD-D0 inference throughput (images/s, backbone + Auto-FEM + head, no
   post-processing) at 640x480 vs mmdet RetinaNet with a MobileNetV2
   backbone and its FPN (built from mmdet's RetinaNet config, one class) at
   the same input.
2. One bilevel search step (alpha step on a held-out batch + weight step,
   ``AutoFEMSearch`` supernet of ``asfd_search_demo.py``) vs one plain
   training step of the same tiny detector with a fixed ``AutoFEM``
   (``asfd_tiny_demo.py``), on random 160x160 images with random faces.

Prints the ratios::

    python benchmarks/asfd_speed.py [--device cuda] [--repeats 5]
"""
import argparse
import os.path as osp
import statistics
import time
from typing import Callable

import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.hub import get_config
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CFG = osp.join(ROOT, 'configs', 'asfd', '{}.py')
RETINA_CFG = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'


def _median_s(fn: Callable[[], object], repeats: int, device: str) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _build(cfg: Config, device: str) -> torch.nn.Module:
    cfg.model.backbone.init_cfg = None
    return MODELS.build(cfg.model).to(device)


def _retinanet_mobilenetv2() -> Config:
    cfg = get_config(RETINA_CFG)
    cfg.model.backbone = dict(type='MobileNetV2', out_indices=(2, 4, 6))
    cfg.model.neck.in_channels = [32, 96, 320]
    cfg.model.bbox_head.num_classes = 1
    return cfg


def _batch(n: int, size: int, device: str) -> dict:
    samples = []
    for _ in range(n):
        xy = torch.rand(3, 2) * size * 0.6
        wh = torch.rand(3, 2) * size * 0.3 + 8
        sample = DetDataSample(metainfo=dict(
            img_shape=(size, size), pad_shape=(size, size),
            ori_shape=(size, size), scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(
            bboxes=torch.cat([xy, xy + wh], 1),
            labels=torch.zeros(3, dtype=torch.long))
        samples.append(sample)
    inputs = [torch.randint(0, 255, (3, size, size), dtype=torch.uint8)
              for _ in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def _inference(args: argparse.Namespace) -> None:
    h, w = 480, 640
    x = torch.randn(1, 3, h, w, device=args.device)
    results = {}
    for name, cfg in (
            ('ASFD-D0', Config.fromfile(CFG.format(
                'asfd_d0_mobilenetv2_autofem_8xb8-80e_widerface'))),
            ('RetinaNet-MobileNetV2-FPN', _retinanet_mobilenetv2())):
        model = _build(cfg, args.device).eval()
        with torch.no_grad():
            seconds = _median_s(lambda: model._forward(x), args.repeats,
                                args.device)
        results[name] = 1 / seconds
        params = sum(p.numel() for p in model.parameters()) / 1e6
        print(f'{name}: {1 / seconds:.2f} images/s at {w}x{h} '
              f'({params:.2f} M params, {args.device})')
    print(f'ASFD-D0 / RetinaNet-MobileNetV2 throughput: '
          f'{results["ASFD-D0"] / results["RetinaNet-MobileNetV2-FPN"]:.2f}')


def _steps(args: argparse.Namespace) -> None:
    search_cfg = Config.fromfile(CFG.format('asfd_search_demo'))
    plain_cfg = Config.fromfile(CFG.format('asfd_tiny_demo'))
    plain_cfg.model.neck.genotype = None  # the default genotype
    train, held_out = (_batch(8, 160, args.device) for _ in range(2))

    search = _build(search_cfg, args.device).train()
    arch = [p for n, p in search.named_parameters() if 'arch_' in n]
    weights = [p for n, p in search.named_parameters() if 'arch_' not in n]
    arch_opt = OptimWrapper(torch.optim.Adam(arch, lr=3e-4))
    weight_opt = OptimWrapper(torch.optim.AdamW(weights, lr=1e-3))

    def search_step() -> None:
        for trainable, batch, opt in ((True, held_out, arch_opt),
                                      (False, train, weight_opt)):
            for p in arch:
                p.requires_grad_(trainable)
            for p in weights:
                p.requires_grad_(not trainable)
            search.train_step(batch, optim_wrapper=opt)

    plain = _build(plain_cfg, args.device).train()
    plain_opt = OptimWrapper(torch.optim.AdamW(plain.parameters(), lr=1e-3))
    s_search = _median_s(search_step, args.repeats, args.device)
    s_plain = _median_s(
        lambda: plain.train_step(train, optim_wrapper=plain_opt),
        args.repeats, args.device)
    print(f'search step (alpha + weight, batch 8 at 160x160): '
          f'{s_search * 1e3:.0f} ms; plain AutoFEM step: '
          f'{s_plain * 1e3:.0f} ms; ratio {s_search / s_plain:.2f}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    import projects.asfd  # noqa: F401
    init_default_scope('mmdet')
    torch.manual_seed(0)
    _inference(args)
    _steps(args)


if __name__ == '__main__':
    main()
