# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""IResNet ``style``: the official ``model_irse.py`` networks (CurricularFace
and TFace) against counts and blocks computed by hand (issue 18, item 4)."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.registry import init_default_scope

import projects.facerec  # noqa: F401
from mmpretrain.registry import MODELS

UNITS = dict(ir50=(3, 4, 14, 3), ir100=(3, 13, 30, 3), ir_se50=(3, 4, 14, 3))
# Parameter counts of the official networks at 112x112, counted from
# Backbone(...).parameters() of HuangYG123/CurricularFace@68c8727
# backbone/model_irse.py (IR_50, IR_101, IR_SE_50) and of
# Tencent/TFace@8f5b85a torchkit/backbone/model_irse.py (IR_50).
OFFICIAL = dict(ir50=43_573_952, ir100=65_128_768, ir_se50=43_796_672)
TFACE_IR50 = 43_585_600


def _hand_count(units, mid_norm: bool, se: bool) -> int:
    """Parameters of the official IR network, by hand: stem conv + BN +
    PReLU; per unit BN(in), conv3x3, [BN], PReLU, conv3x3, BN, [bias-free
    SE], and a 1x1 conv + BN shortcut only where the width changes; output
    BN2d and the FC (the embedding BN1d is not affine)."""
    count = 3 * 64 * 9 + 2 * 64 + 64
    for c_in, depth, num in zip((64, 64, 128, 256), (64, 128, 256, 512),
                                units):
        for i in range(num):
            c = c_in if i == 0 else depth
            count += 2 * c + 9 * c * depth + depth + 9 * depth * depth \
                + 2 * depth
            count += 2 * depth if mid_norm else 0
            count += 2 * depth * (depth // 16) if se else 0
            count += c * depth + 2 * depth if c != depth else 0
    return count + 2 * 512 + 512 * 49 * 512 + 512


def _build(**kwargs):
    init_default_scope('mmpretrain')
    return MODELS.build(dict(type='IResNet', **kwargs))


def _count(**kwargs) -> int:
    with torch.device('meta'):
        model = _build(**kwargs)
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize('arch', ['ir50', 'ir100', 'ir_se50'])
def test_model_irse_counts_equal_the_official(arch):
    hand = _hand_count(UNITS[arch], mid_norm=False, se=arch == 'ir_se50')
    assert hand == OFFICIAL[arch]
    assert _count(arch=arch, style='model_irse') == OFFICIAL[arch]


def test_tface_and_insightface_counts():
    assert _hand_count(UNITS['ir50'], mid_norm=True, se=False) == TFACE_IR50
    assert _count(arch='ir50', style='tface') == TFACE_IR50
    # insightface: + the stage-1 projection (64x64 conv + BN) and the
    # affine embedding BN (2 x 512)
    extra = 64 * 64 + 2 * 64 + 2 * 512
    assert _count(arch='ir50') == TFACE_IR50 + extra


def test_model_irse_blocks_by_hand():
    torch.manual_seed(0)
    model = _build(arch='tiny', style='model_irse', input_size=16,
                   embedding_dim=8)
    model.init_weights()
    assert model.dropout.p == 0.4
    assert model.features.weight is None and model.features.bias is None
    block = model.stages[0][0]  # 8 -> 8, stride 2
    assert isinstance(block.downsample, nn.MaxPool2d)
    assert not block.conv1.with_norm
    with torch.no_grad():  # non-trivial BN
        for bn in (block.pre_norm, block.conv2.bn):
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.2, 0.2)
    block.eval()
    x = torch.randn(2, 8, 8, 8)
    bn0, bn2 = block.pre_norm, block.conv2.bn
    y = F.conv2d(F.batch_norm(x, bn0.running_mean, bn0.running_var,
                              bn0.weight, bn0.bias, eps=bn0.eps),
                 block.conv1.conv.weight, padding=1)
    y = F.prelu(y, block.conv1.activate.weight)
    y = F.conv2d(y, block.conv2.conv.weight, stride=2, padding=1)
    y = F.batch_norm(y, bn2.running_mean, bn2.running_var, bn2.weight,
                     bn2.bias, eps=bn2.eps)
    expected = y + x[:, :, ::2, ::2]  # parameter-free subsampling shortcut
    torch.testing.assert_close(block(x), expected)
    # width change: a projection; stride 1 same width: the identity
    assert model.stages[1][0].downsample.conv.kernel_size == (1, 1)
    deep = _build(arch=dict(stage_blocks=(2, 1, 1, 1), channels=(8, 16, 16,
                                                                 16)),
                  style='model_irse', input_size=16)
    assert deep.stages[0][1].downsample is None
    assert isinstance(deep.stages[2][0].downsample, nn.MaxPool2d)


def test_tface_and_insightface_blocks():
    tface = _build(arch='tiny', style='tface', input_size=16)
    assert tface.stages[0][0].conv1.with_norm
    assert isinstance(tface.stages[0][0].downsample, nn.MaxPool2d)
    assert tface.dropout.p == 0.4 and tface.features.weight is None
    old = _build(arch='tiny', input_size=16)
    assert old.style == 'insightface' and old.dropout.p == 0.0
    assert old.stages[0][0].downsample.conv.stride == (2, 2)
    assert old.features.weight is not None
    assert _build(arch='tiny', style='model_irse', input_size=16,
                  dropout=0.0).dropout.p == 0.0


def test_se_is_bias_free_in_the_official_styles():
    arch = dict(stage_blocks=(1, 1, 1, 1), channels=(32, ) * 4,
                with_se=True)
    se = _build(arch=arch, style='model_irse', input_size=16).stages[0][0].se
    assert se.conv1.conv.bias is None and se.conv2.conv.bias is None
    assert se.conv1.conv.out_channels == 2
    old = _build(arch=arch, input_size=16).stages[0][0].se
    assert old.conv1.conv.bias is not None


def test_unknown_style():
    with pytest.raises(KeyError, match='unknown style'):
        _build(arch='tiny', style='arcface')
