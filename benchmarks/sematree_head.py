# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""SemanticNeuralTreeHead vs mmseg's PSPHead and ASPPHead on the same
ResNet-101 (output stride 16) features of one image, measured in one run.

Prints parameters, FLOPs (multiply-adds counted by mmengine's analyzer; the
deformable convs are counted by hooks as a dense 3x3 conv of the same shape
plus their offset convs, whatever kernel runs them) and the median forward
time, each also as a ratio to PSPHead; the last line is SemaTree's time
ratio over its FLOPs ratio (target <= 1.5). ``--dcn`` picks the CPU kernel
of the deformable convs: the head's default (``sampled``), mmcv's or
torchvision's im2col kernels::

    python benchmarks/sematree_head.py --size 384 --repeat 5 [--dcn mmcv]
"""
import argparse
import statistics
import sys
import time
import types
from os import path as osp
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from mmcv.ops import (ModulatedDeformConv2d,  # noqa: E402
                      ModulatedDeformConv2dPack)
from mmengine.analysis import FlopAnalyzer  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402
from torchvision.ops import deform_conv2d  # noqa: E402

import projects.sematree  # noqa: E402,F401

LIP_CFG = 'configs/sematree/sematree_r101-d16_4xb6-150e_lip-384x384.py'


def build_heads(repo: str) -> Dict[str, nn.Module]:
    """The three heads with their published widths, BN, 20 classes."""
    init_default_scope('mmseg')
    common = dict(num_classes=20, norm_cfg=dict(type='BN'), in_index=3,
                  in_channels=2048, channels=512, dropout_ratio=0.1)
    sematree = Config.fromfile(osp.join(repo, LIP_CFG)).model.decode_head
    sematree.norm_cfg = dict(type='BN')
    return {
        'PSPHead': MODELS.build(
            dict(type='PSPHead', pool_scales=(1, 2, 3, 6), **common)),
        'ASPPHead': MODELS.build(
            dict(type='ASPPHead', dilations=(1, 12, 24, 36), **common)),
        'SemanticNeuralTreeHead': MODELS.build(sematree),
    }


def features(size: int) -> List[torch.Tensor]:
    """C2..C5 of ResNet-101 at output stride 16 for a size x size image."""
    c2, c3, c4 = -(-size // 4), -(-size // 8), -(-size // 16)
    return [
        torch.randn(1, 256, c2, c2),
        torch.randn(1, 512, c3, c3),
        torch.randn(1, 1024, c4, c4),
        torch.randn(1, 2048, c4, c4)
    ]


def _torchvision_dcn(self: ModulatedDeformConv2d,
                     x: torch.Tensor) -> torch.Tensor:
    """DCNv2 forward through torchvision's ``deform_conv2d``."""
    o1, o2, mask = torch.chunk(self.conv_offset(x), 3, dim=1)
    return deform_conv2d(x, torch.cat((o1, o2), dim=1), self.weight,
                         self.bias, self.stride, self.padding, self.dilation,
                         torch.sigmoid(mask))


def use_dcn_kernel(head: nn.Module, kernel: str) -> None:
    """Run the deformable convs of ``head`` with ``kernel``."""
    forward = dict(
        mmcv=ModulatedDeformConv2dPack.forward,
        torchvision=_torchvision_dcn).get(kernel)
    for m in head.modules():
        if forward and isinstance(m, ModulatedDeformConv2dPack):
            m.forward = types.MethodType(forward, m)


def dcn_flops(head: nn.Module, feats: List[torch.Tensor]) -> int:
    """Multiply-adds of the deformable convs (as dense convs)."""
    total = [0]

    def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        k = module.kernel_size[0] * module.kernel_size[1]
        total[0] += output.numel() * module.in_channels // \
            module.groups * k

    handles = [
        m.register_forward_hook(hook) for m in head.modules()
        if isinstance(m, ModulatedDeformConv2d)
    ]
    with torch.no_grad():
        head(feats)
    for handle in handles:
        handle.remove()
    return total[0]


def measure(head: nn.Module, feats: List[torch.Tensor]) -> Dict[str, float]:
    """Params and FLOPs of one head."""
    head.eval()
    analyzer = FlopAnalyzer(head, (feats, ))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    flops = analyzer.total() + dcn_flops(head, feats)
    by_module = analyzer.by_module()
    for name, m in head.named_modules():
        if isinstance(m, ModulatedDeformConv2d):  # traced kernel: the hook
            flops -= by_module[name] - by_module[f'{name}.conv_offset']
    return dict(
        params=sum(p.numel() for p in head.parameters()), flops=flops)


def median_seconds(heads: Dict[str, nn.Module], feats: List[torch.Tensor],
                   repeat: int) -> Dict[str, float]:
    """Median forward seconds of each head, the heads taking turns within
    each round so that a change of load on a shared machine hits all."""
    times = {name: [] for name in heads}
    with torch.no_grad():
        for head in heads.values():
            head(feats)  # warm-up
        for _ in range(repeat):
            for name, head in heads.items():
                start = time.perf_counter()
                head(feats)
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description='SemaTree head benchmark')
    parser.add_argument('--size', type=int, default=384)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--dcn', default='sampled',
                        choices=['sampled', 'mmcv', 'torchvision'],
                        help='CPU kernel of the deformable convs')
    parser.add_argument('--threads', type=int, default=0,
                        help='torch CPU threads (0: leave the default)')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    repo = osp.dirname(osp.dirname(osp.abspath(__file__)))
    feats = features(args.size)
    heads = build_heads(repo)
    use_dcn_kernel(heads['SemanticNeuralTreeHead'], args.dcn)
    results = {name: measure(head, feats) for name, head in heads.items()}
    for name, seconds in median_seconds(heads, feats, args.repeat).items():
        results[name]['seconds'] = seconds
    base = results['PSPHead']
    print(f'input {args.size}x{args.size}, batch 1, CPU threads '
          f'{torch.get_num_threads()}, median of {args.repeat} '
          f'interleaved runs, DCN kernel {args.dcn}')
    print(f'{"head":<24}{"params (M)":>12}{"GFLOPs":>10}{"forward (s)":>13}'
          f'{"params/PSP":>12}{"FLOPs/PSP":>11}{"time/PSP":>10}')
    for name, r in results.items():
        print(f'{name:<24}{r["params"] / 1e6:>12.2f}{r["flops"] / 1e9:>10.2f}'
              f'{r["seconds"]:>13.3f}{r["params"] / base["params"]:>12.2f}'
              f'{r["flops"] / base["flops"]:>11.2f}'
              f'{r["seconds"] / base["seconds"]:>10.2f}')
    tree = results['SemanticNeuralTreeHead']
    time_ratio = tree['seconds'] / base['seconds']
    flops_ratio = tree['flops'] / base['flops']
    print(f'ratio SemaTree/PSPHead: time {time_ratio:.2f}x for FLOPs '
          f'{flops_ratio:.2f}x -> time/FLOPs {time_ratio / flops_ratio:.2f} '
          '(target <= 1.5)')


if __name__ == '__main__':
    main()
