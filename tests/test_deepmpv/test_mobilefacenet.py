# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MobileFaceNet: GDC kernel per input size, 512-d output, size against
the paper, residual blocks, gradients and bad input."""
import pytest
import torch

from projects.facerec.models import MobileFaceBottleneck, MobileFaceNet


@pytest.mark.parametrize('size,kernel', [(112, 7), (224, 14), (64, 4),
                                         (100, 7)])
def test_gdc_covers_the_final_map(size, kernel):
    net = MobileFaceNet(arch='tiny', input_size=size, embedding_dim=32)
    assert net.gdc_kernel == kernel
    assert net.gdc.conv.kernel_size == (kernel, kernel)
    net.eval()
    out = net(torch.rand(2, 3, size, size))
    assert isinstance(out, tuple) and out[0].shape == (2, 32)


def test_base_size_matches_the_paper():
    # MobileFaceNets (arXiv 1804.07573): 0.99M parameters, 128-d output
    net = MobileFaceNet(input_size=112, embedding_dim=128)
    assert sum(p.numel() for p in net.parameters()) == pytest.approx(
        0.99e6, rel=0.02)
    big = MobileFaceNet(input_size=224)
    assert big.gdc_kernel == 14
    assert big.linear.weight.shape == (512, 512)
    # GDC is linear (no activation); the 1x1 before it is conv-BN-PReLU
    assert big.gdc.activate is None if hasattr(big.gdc, 'activate') \
        else not big.gdc.with_activation
    assert isinstance(big.sep.activate, torch.nn.PReLU)
    assert big.sep.activate.weight.numel() == 512


def test_bottleneck_residual_and_gradients():
    block = MobileFaceBottleneck(8, 8, 16, residual=True)
    for p in block.parameters():
        torch.nn.init.zeros_(p)
    x = torch.rand(1, 8, 5, 5)
    # all weights zero: the block adds 0 (BN bias 0) to the identity
    assert torch.allclose(block(x), x)
    down = MobileFaceBottleneck(8, 16, 32, stride=2)
    assert down(x).shape == (1, 16, 3, 3)
    net = MobileFaceNet(arch='tiny', input_size=32, embedding_dim=16)
    img = torch.rand(4, 3, 32, 32, requires_grad=True)
    net(img)[0].pow(2).sum().backward()
    assert img.grad.abs().sum() > 0
    assert all(p.grad is not None for p in net.parameters())
    with pytest.raises(ValueError, match='residual block needs'):
        MobileFaceBottleneck(8, 16, 32, residual=True)


def test_bad_configuration_and_input():
    with pytest.raises(KeyError, match='arch must be one of'):
        MobileFaceNet(arch='huge')
    with pytest.raises(ValueError, match='input_size must be >= 16'):
        MobileFaceNet(input_size=8)
    net = MobileFaceNet(arch='tiny', input_size=64)
    with pytest.raises(ValueError, match=r'expects 64x64 inputs'):
        net(torch.rand(1, 3, 112, 112))
