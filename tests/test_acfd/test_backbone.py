# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import copy

import pytest
import torch

from projects.acfd import AsymmetricConvModule, VoVNetV3


def _bn_stats(model: torch.nn.Module) -> None:
    """Give every batch norm non-trivial statistics."""
    torch.manual_seed(0)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)


@pytest.mark.parametrize('arch,channels', [
    ('V-19-slim', [112, 256, 384, 512]),
    ('V-19', [256, 512, 768, 1024]),
    ('V-39', [256, 512, 768, 1024]),
    ('V-57', [256, 512, 768, 1024]),
])
def test_vovnetv3_shapes(arch, channels):
    model = VoVNetV3(arch=arch, out_indices=(0, 1, 2, 3))
    with torch.no_grad():
        outs = model(torch.rand(1, 3, 64, 96))
    assert [o.shape[1] for o in outs] == channels
    assert [tuple(o.shape[2:]) for o in outs] == [(16, 24), (8, 12), (4, 6),
                                                 (2, 3)]
    assert model.out_channels == channels


def test_asymmetric_block_reparameterises_exactly():
    block = AsymmetricConvModule(4, 6, 3, stride=2)
    _bn_stats(block)
    block.eval()
    x = torch.randn(2, 4, 9, 11)
    expected = block(x)
    block.switch_to_deploy()
    assert not hasattr(block, 'hor_conv')
    assert block.fused_conv.kernel_size == (3, 3)
    torch.testing.assert_close(block(x), expected, rtol=1e-5, atol=1e-5)


def test_asymmetric_block_is_the_sum_of_three_branches():
    # Hand check: identity-like kernels and unit norms give x*(1+1+1).
    block = AsymmetricConvModule(1, 1, 3, act_cfg=None)
    for name, shape in (('square', (3, 3)), ('hor', (1, 3)), ('ver', (3,
                                                                        1))):
        conv = getattr(block, f'{name}_conv')
        conv.weight.data.zero_()
        conv.weight.data[0, 0, shape[0] // 2, shape[1] // 2] = 1.0
    block.eval()
    x = torch.randn(1, 1, 5, 5)
    eps = block.square_norm.eps
    torch.testing.assert_close(block(x), 3 * x / (1 + eps)**0.5)


def test_vovnetv3_deploy_matches_train_time_model():
    model = VoVNetV3(arch='V-19-slim', out_indices=(1, 2, 3))
    _bn_stats(model)
    model.eval()
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        expected = model(x)
        deployed = copy.deepcopy(model)
        deployed.switch_to_deploy()
        outs = deployed(x)
    for out, ref in zip(outs, expected):
        rel = (out - ref).abs().max() / ref.abs().max()
        assert rel <= 1e-5


def test_group_norm_cannot_be_deployed():
    block = AsymmetricConvModule(
        4, 4, norm_cfg=dict(type='GN', num_groups=2))
    block(torch.rand(1, 4, 5, 5))
    with pytest.raises(TypeError, match='folds batch norm only'):
        block.switch_to_deploy()


def test_frozen_stages_and_norm_eval():
    model = VoVNetV3(arch='V-19-slim', frozen_stages=1, norm_eval=True)
    model.train()
    assert not any(p.requires_grad for p in model.stem.parameters())
    assert not any(p.requires_grad for p in model.stages[0].parameters())
    assert all(p.requires_grad for p in model.stages[1].parameters())
    assert not model.stages[2][1].aggregate.bn.training


def test_gradients_reach_every_branch():
    model = VoVNetV3(arch='V-19-slim', out_indices=(3, ))
    model(torch.rand(2, 3, 32, 32))[0].sum().backward()
    block = model.stages[0][0].layers[0]
    for name in ('square_conv', 'hor_conv', 'ver_conv'):
        assert getattr(block, name).weight.grad.abs().sum() > 0


def test_bad_arguments_are_clear():
    with pytest.raises(KeyError, match="arch 'V-99'"):
        VoVNetV3(arch='V-99')
    with pytest.raises(KeyError, match='missing'):
        VoVNetV3(arch=dict(stem_channels=(8, 8, 8)))
    with pytest.raises(ValueError, match='out_indices'):
        VoVNetV3(arch='V-19-slim', out_indices=(4, ))
    with pytest.raises(ValueError, match='odd'):
        AsymmetricConvModule(2, 2, kernel_size=2)
