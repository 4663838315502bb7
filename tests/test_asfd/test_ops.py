# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import pytest
import torch

from projects.asfd import (CANDIDATE_OPS, PartialChannelMixedOp,
                           build_candidate_op)
from projects.asfd.mixed_op import channel_shuffle


@pytest.mark.parametrize('name', sorted(CANDIDATE_OPS))
def test_each_operation_keeps_shape_and_backprops(name):
    op = build_candidate_op(name, 8)
    x = torch.randn(2, 8, 9, 7, requires_grad=True)
    y = op(x)
    assert y.shape == x.shape
    y.square().sum().backward()
    if name == 'none':
        assert torch.count_nonzero(y) == 0
        assert torch.count_nonzero(x.grad) == 0
    else:
        assert x.grad.abs().sum() > 0


def test_operation_math_by_hand():
    x = torch.arange(9.).view(1, 1, 3, 3)
    torch.testing.assert_close(build_candidate_op('skip_connect', 1)(x), x)
    # 3x3 max pool, stride 1, pad 1: the centre sees all, a corner 4 values.
    y = build_candidate_op('max_pool_3x3', 1)(x)
    assert y[0, 0, 1, 1] == 8 and y[0, 0, 0, 0] == 4
    # Average pool ignores padding: corner = mean(0, 1, 3, 4) = 2.
    y = build_candidate_op('avg_pool_3x3', 1)(x)
    assert y[0, 0, 0, 0] == 2 and y[0, 0, 1, 1] == 4


def test_empty_batch():
    for name in ('sep_conv_3x3', 'asym_conv_1x5', 'dil_conv_3x3_r3'):
        op = build_candidate_op(name, 4).eval()
        assert op(torch.zeros(0, 4, 5, 5)).shape == (0, 4, 5, 5)


def test_bad_operation_inputs():
    with pytest.raises(
            KeyError, match="unknown Auto-FEM operation 'conv_7x7'"):
        build_candidate_op('conv_7x7', 4)
    with pytest.raises(ValueError, match='channels must be > 0'):
        build_candidate_op('conv_1x1', 0)


def test_channel_shuffle_by_hand():
    x = torch.arange(6.).view(1, 6, 1, 1)
    y = channel_shuffle(x, 2)
    assert y.flatten().tolist() == [0., 3., 1., 4., 2., 5.]


def test_mixed_op_math_by_hand():
    # K = 1, ops (none, identity, max pool): output = w1 * x + w2 * pool(x).
    mixed = PartialChannelMixedOp(
        2, ('none', 'skip_connect', 'max_pool_3x3'), partial_k=1)
    x = torch.randn(1, 2, 4, 4)
    w = torch.tensor([0.5, 0.2, 0.3])
    expected = 0.2 * x + 0.3 * torch.nn.functional.max_pool2d(x, 3, 1, 1)
    torch.testing.assert_close(mixed(x, w), expected)


def test_partial_channels_bypass_the_operations():
    # K = 4 over 8 channels: 2 channels go through the ops (here scaled by
    # the identity weight), the other 6 pass unchanged, then shuffle.
    mixed = PartialChannelMixedOp(8, ('none', 'skip_connect'), partial_k=4)
    x = torch.randn(1, 8, 3, 3)
    w = torch.tensor([0.0, 0.5])
    out = mixed(x, w)
    expected = channel_shuffle(torch.cat([0.5 * x[:, :2], x[:, 2:]], 1), 4)
    torch.testing.assert_close(out, expected)
    # Gradient reaches the architecture weights.
    w = torch.tensor([0.3, 0.7], requires_grad=True)
    mixed(x, w).sum().backward()
    assert w.grad is not None and w.grad[1] != 0


def test_mixed_op_bad_inputs():
    with pytest.raises(
            ValueError, match='partial_k=3 must be >= 1 and '
            'divide channels=8'):
        PartialChannelMixedOp(8, partial_k=3)
    with pytest.raises(KeyError, match=r'op_names\[1\]'):
        PartialChannelMixedOp(8, ('none', 'conv_9x9'))
    mixed = PartialChannelMixedOp(8, ('none', 'skip_connect'))
    with pytest.raises(ValueError, match=r'weights must have shape \(2,\)'):
        mixed(torch.zeros(1, 8, 2, 2), torch.zeros(3))
