# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The sampled DCNv2 (CPU path of SemaTree's deformable convs) against
mmcv's ``ModulatedDeformConv2dPack`` kernel: outputs and every gradient on
random inputs and offsets large enough to leave the image, for both the
sample-the-input and sample-the-projections branches."""
import pytest
import torch
from mmcv.ops import ModulatedDeformConv2dPack
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from projects.sematree import SampledModulatedDeformConv2dPack


def _pair(cin: int, cout: int, **kwargs) -> tuple:
    old = ModulatedDeformConv2dPack(cin, cout, 3, **kwargs)
    # Offsets of several pixels and masks away from 0.5 (zero-initialised
    # offset convs would test plain convolution only).
    torch.nn.init.normal_(old.conv_offset.weight, std=1.0)
    torch.nn.init.normal_(old.conv_offset.bias, std=2.0)
    torch.nn.init.normal_(old.bias)
    new = SampledModulatedDeformConv2dPack(cin, cout, 3, **kwargs)
    new.load_state_dict(old.state_dict())
    return old, new


def _grads(module: torch.nn.Module, x: torch.Tensor,
           grad_out: torch.Tensor) -> tuple:
    x = x.clone().requires_grad_(True)
    out = module(x)
    out.backward(grad_out)
    return (out.detach(), x.grad,
            *(p.grad for p in module.parameters()))


@pytest.mark.parametrize(
    'cin, cout, groups, size, kwargs',
    [
        (12, 5, 2, (7, 9), dict(padding=1)),  # samples the input
        (16, 3, 2, (6, 5), dict(padding=1)),  # samples the projections
        (16, 3, 2, (9, 8), dict(stride=2, padding=0)),
        (12, 6, 3, (8, 7), dict(padding=2, dilation=2)),
        (5, 4, 1, (1, 1), dict(padding=1)),  # a 1x1 image
    ])
def test_matches_mmcv_outputs_and_gradients(cin, cout, groups, size, kwargs):
    torch.manual_seed(0)
    old, new = _pair(cin, cout, deform_groups=groups, **kwargs)
    x = torch.randn(2, cin, *size)
    with torch.no_grad():
        grad_out = torch.randn_like(old(x))
    expected = _grads(old, x, grad_out)
    actual = _grads(new, x, grad_out)
    assert len(actual) == 6  # output, x, weight, bias, offset conv w + b
    for a, e in zip(actual, expected):
        torch.testing.assert_close(a, e, rtol=1e-4, atol=1e-4)
    # Inference modulates the samples in place: same result.
    with torch.no_grad():
        torch.testing.assert_close(new(x), expected[0], rtol=1e-4, atol=1e-4)


def test_head_builds_the_sampled_dcn_with_mmcv_state():
    init_default_scope('mmseg')
    head = MODELS.build(
        dict(
            type='SemanticNeuralTreeHead',
            tree=[[0], [[1], [2, 3]]],
            num_classes=4,
            in_channels=[4, 4, 8],
            in_index=[0, 1, 2],
            channels=8,
            transform_channels=(4, 4),
            leaf_channels=(4, 4),
            fusion_channels=(8, 8),
            norm_cfg=dict(type='BN')))
    dcns = [
        m for m in head.modules()
        if isinstance(m, ModulatedDeformConv2dPack)
    ]
    assert len(dcns) == 3 + len(head.leaves)
    assert all(
        isinstance(m, SampledModulatedDeformConv2dPack) for m in dcns)
    assert set(dcns[0].state_dict()) == {
        'weight', 'bias', 'conv_offset.weight', 'conv_offset.bias'
    }
