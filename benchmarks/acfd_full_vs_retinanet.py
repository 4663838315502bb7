# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The full ACFD (challenge config, deployed) vs mmdet RetinaNet-R50-FPN:
latency of one image (default 1920x1080, backbone+neck+head, no
post-processing) and model size, measured in the same run::

    python benchmarks/acfd_full_vs_retinanet.py [--shape 1080 1920]
"""
import argparse
import os.path as osp

import torch
from acfd_timing import median_ms, size_mb
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.hub import get_config
from mmengine.registry import init_default_scope

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ACFD_CFG = osp.join(ROOT, 'configs', 'acfd',
                    'acfd_vovnetv3-39_abifpn_8xb8-40e_icartoonface.py')
RETINA_CFG = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'


def _build(path: str, num_classes: int = 1) -> torch.nn.Module:
    cfg = get_config(path) if '::' in path else Config.fromfile(path)
    cfg.model.bbox_head.num_classes = num_classes
    # No weights are downloaded: sizes and latency do not depend on them.
    cfg.model.backbone.pop('init_cfg', None)
    init_default_scope('mmdet')
    return MODELS.build(cfg.model).eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--shape', type=int, nargs=2, default=[1080, 1920],
                        metavar=('H', 'W'))
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    import projects.acfd  # noqa: F401
    acfd = _build(ACFD_CFG).switch_to_deploy()
    retina = _build(RETINA_CFG)
    x = torch.rand(1, 3, *args.shape, device=args.device)
    models = {'ACFD (deployed)': acfd.to(args.device),
              'RetinaNet-R50-FPN': retina.to(args.device)}
    with torch.no_grad():
        ms = median_ms(
            {name: (lambda m=model: m(x, mode='tensor'))
             for name, model in models.items()}, args.repeats, 1,
            args.device)
    for name, model in models.items():
        params, mb = size_mb(model)
        print(f'{name}: {ms[name]:.0f} ms, {params:.2f} M params, '
              f'{mb:.1f} MB fp32')
    (a_ms, r_ms), (a_mb, r_mb) = ms.values(), (size_mb(acfd)[1],
                                              size_mb(retina)[1])
    print(f'{args.shape[1]}x{args.shape[0]} on {args.device}, median of '
          f'{args.repeats}; ACFD/RetinaNet latency {a_ms / r_ms:.2f}, '
          f'size {a_mb / r_mb:.2f}')


if __name__ == '__main__':
    main()
