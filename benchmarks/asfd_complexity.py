# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Params and GFLOPs of ASFD-D0..D6 at 640x640 (the README table).

Measured with ``mmengine.analysis.get_model_complexity_info`` on the
backbone + Auto-FEM + head forward (``model._forward``), batch 1::

    python benchmarks/asfd_complexity.py [--scales 0 6]
"""
import argparse
import glob
import os.path as osp
import time

import torch
from mmdet.registry import MODELS
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config
from mmengine.registry import init_default_scope

import projects.asfd  # noqa: F401

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


class _Forward(torch.nn.Module):

    def __init__(self, detector: torch.nn.Module) -> None:
        super().__init__()
        self.detector = detector

    def forward(self, x: torch.Tensor) -> tuple:
        return self.detector._forward(x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--scales', type=int, nargs='+',
                        default=list(range(7)))
    parser.add_argument('--size', type=int, default=640)
    args = parser.parse_args()
    init_default_scope('mmdet')
    print('| model | backbone | FEM width | FEM rounds | head depth | '
          'params (M) | GFLOPs | CPU forward (s) |')
    print('|---|---|---|---|---|---|---|---|')
    for phi in args.scales:
        path, = glob.glob(osp.join(ROOT, f'configs/asfd/asfd_d{phi}_*.py'))
        cfg = Config.fromfile(path)
        cfg.model.backbone.init_cfg = None
        model = _Forward(MODELS.build(cfg.model)).eval()
        x = torch.randn(1, 3, args.size, args.size)
        with torch.no_grad():
            start = time.perf_counter()
            model(x)
            seconds = time.perf_counter() - start
            info = get_model_complexity_info(
                model, inputs=(x, ), show_table=False, show_arch=False)
        backbone = cfg.model.backbone
        name = backbone.type if backbone.type != 'ResNet' else \
            f'ResNet-{backbone.depth}'
        print(f'| ASFD-D{phi} | {name} | {cfg.model.neck.out_channels} | '
              f'{cfg.model.neck.num_repeats} | '
              f'{cfg.model.bbox_head.stacked_convs} | '
              f'{info["params"] / 1e6:.2f} | {info["flops"] / 1e9:.2f} | '
              f'{seconds:.2f} |', flush=True)


if __name__ == '__main__':
    main()
