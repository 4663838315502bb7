# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ASFD speed, in one run against toolbox built-ins:

1. One bilevel search step (alpha step on a held-out batch + weight step,
   ``AutoFEMSearch`` supernet of ``asfd_search_demo.py``) vs one plain
   training step of the same tiny detector with a fixed ``AutoFEM``
   (``asfd_tiny_demo.py``), on random 160x160 images with random faces.
2. ASFD-D0 inference throughput (images/s, backbone + Auto-FEM + head, no
   post-processing) at 640x480 vs mmdet RetinaNet with a MobileNetV2
   backbone and its FPN (built from mmdet's RetinaNet config, one class) at
   the same input, every model timed call by call in turn with the others:
   in eval mode and deployed (batch norms folded into the convolutions and
   channels-last weights, ``ASFD.switch_to_deploy``; the same for
   RetinaNet), with the deployed models' time per part (backbone, neck,
   head, post-processing of random-weight scores).

The RetinaNet baseline takes MobileNetV2's strides 8, 16, 32 with the FPN's
``start_level=0``, so that its pyramid has the strides 8-128 of the
config's anchor generator (mmdet's ``start_level=1`` skips C2 of a
4-output ResNet; with MobileNetV2's 3 outputs it skipped stride 8, which
put the pyramid at strides 16-256 under anchors laid out for 8-128, the
baseline timed before 3 Dec 2026; ``--old-baseline`` times that one too).

The last line is the deployed throughput ratio::

    python benchmarks/asfd_speed.py [--threads 2] [--repeats 10] \\
        [--part all|inference|search] [--device cuda]
"""
import argparse
import copy
import os.path as osp
from typing import Callable, Dict

import torch
from acfd_timing import median_ms, run_conditions
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
D0 = 'asfd_d0_mobilenetv2_autofem_8xb8-80e_widerface'


def _build(cfg: Config, device: str) -> torch.nn.Module:
    cfg.model.backbone.init_cfg = None
    return MODELS.build(cfg.model).to(device)


def _retinanet_mobilenetv2(start_level: int = 0) -> Config:
    cfg = get_config(RETINA_CFG)
    cfg.model.backbone = dict(type='MobileNetV2', out_indices=(2, 4, 6))
    cfg.model.neck.in_channels = [32, 96, 320]
    cfg.model.neck.start_level = start_level
    cfg.model.bbox_head.num_classes = 1
    return cfg


def _deploy(model: torch.nn.Module) -> torch.nn.Module:
    """What ``ASFD.switch_to_deploy`` does, on a copy of any detector: BN
    folded into the convolutions (mmcv ``fuse_conv_bn``), channels-last
    weights."""
    from projects.asfd import fuse_for_inference
    return fuse_for_inference(copy.deepcopy(model))


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


def _part_calls(name: str, model: torch.nn.Module,
                x: torch.Tensor) -> Dict[str, Callable[[], object]]:
    """Backbone, neck, head and post-processing of a deployed model, each
    on the previous part's (precomputed) output."""
    feats = model.backbone(x)
    pyramid = model.neck(feats)
    cls_scores, bbox_preds = model.bbox_head(pyramid)
    meta = dict(img_shape=tuple(x.shape[2:]), pad_shape=tuple(x.shape[2:]),
                ori_shape=tuple(x.shape[2:]), scale_factor=(1., 1.))
    return {
        f'{name} backbone': lambda: model.backbone(x),
        f'{name} neck': lambda: model.neck(feats),
        f'{name} head': lambda: model.bbox_head(pyramid),
        f'{name} post-processing': lambda: model.bbox_head.predict_by_feat(
            cls_scores, bbox_preds, batch_img_metas=[meta], rescale=False),
    }


def _inference(args: argparse.Namespace) -> None:
    h, w = 480, 640
    x = torch.randn(1, 3, h, w, device=args.device)
    cfgs = {
        'ASFD-D0': Config.fromfile(CFG.format(D0)),
        'RetinaNet': _retinanet_mobilenetv2(),
    }
    if args.old_baseline:
        cfgs['RetinaNet-s16'] = _retinanet_mobilenetv2(start_level=1)
    calls, params = {}, {}
    with torch.no_grad():
        for name, cfg in cfgs.items():
            model = _build(cfg, args.device).eval()
            deployed = _deploy(model)
            params[name] = sum(p.numel() for p in model.parameters()) / 1e6
            calls[f'{name} eval'] = lambda m=model: m._forward(x)
            calls[f'{name} deployed'] = lambda m=deployed: m._forward(x)
            calls.update(_part_calls(name, deployed, x))
        ms = median_ms(calls, args.repeats, 1, args.device)
    for name in cfgs:
        parts = ', '.join(
            f'{p} {ms[f"{name} {p}"]:.1f}'
            for p in ('backbone', 'neck', 'head', 'post-processing'))
        print(f'{name} ({params[name]:.2f} M params): eval '
              f'{1e3 / ms[f"{name} eval"]:.2f} images/s, deployed '
              f'{1e3 / ms[f"{name} deployed"]:.2f} images/s; deployed ms: '
              f'{parts}')
    print(f'{w}x{h}, batch 1, no post-processing in images/s; median of '
          f'{args.repeats}; {run_conditions(args.device)}')
    if args.old_baseline:
        print('ASFD-D0 / RetinaNet-s16 (strides 16-256) throughput, '
              'deployed: '
              f'{ms["RetinaNet-s16 deployed"] / ms["ASFD-D0 deployed"]:.2f}')
    print('ASFD-D0 / RetinaNet-MobileNetV2-FPN throughput, eval: '
          f'{ms["RetinaNet eval"] / ms["ASFD-D0 eval"]:.2f}')
    print('ASFD-D0 / RetinaNet-MobileNetV2-FPN throughput, deployed: '
          f'{ms["RetinaNet deployed"] / ms["ASFD-D0 deployed"]:.2f}')


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
    ms = median_ms(
        dict(search=search_step,
             plain=lambda: plain.train_step(train, optim_wrapper=plain_opt)),
        args.repeats, 1, args.device)
    print(f'search step (alpha + weight, batch 8 at 160x160): '
          f'{ms["search"]:.0f} ms; plain AutoFEM step: {ms["plain"]:.0f} '
          f'ms; ratio {ms["search"] / ms["plain"]:.2f}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--repeats', type=int, default=10)
    parser.add_argument('--threads', type=int, default=2,
                        help='torch CPU threads (0: leave the default)')
    parser.add_argument('--part', default='all',
                        choices=['all', 'inference', 'search'])
    parser.add_argument('--old-baseline', action='store_true',
                        help='also time RetinaNet at strides 16-256')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    import projects.asfd  # noqa: F401
    init_default_scope('mmdet')
    torch.manual_seed(0)
    if args.part in ('all', 'search'):
        _steps(args)
    if args.part in ('all', 'inference'):
        _inference(args)


if __name__ == '__main__':
    main()
