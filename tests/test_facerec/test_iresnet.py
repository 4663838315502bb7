# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""IResNet shapes, architectures, gradients and errors."""
import pytest
import torch
from mmengine.registry import init_default_scope

import projects.facerec  # noqa: F401
from mmpretrain.registry import MODELS


def _build(**kwargs):
    init_default_scope('mmpretrain')
    return MODELS.build(dict(type='IResNet', **kwargs))


def test_tiny_shapes_and_gradients():
    model = _build(arch='tiny', input_size=32, embedding_dim=24)
    model.init_weights()
    x = torch.randn(3, 3, 32, 32, requires_grad=True)
    (emb, ) = model(x)
    assert emb.shape == (3, 24)
    emb.square().sum().backward()
    assert x.grad.abs().sum() > 0 and model.stem.conv.weight.grad is not None


def test_architectures():
    # IR-50 and IR-100 parameter counts of the common implementations
    # (43.6M and 65.2M at 112x112, 512-d).
    n50 = sum(p.numel() for p in _build(arch='ir50').parameters())
    n100 = sum(p.numel() for p in _build(arch='ir100').parameters())
    assert 43.5e6 < n50 < 43.7e6 and 65.1e6 < n100 < 65.2e6
    blocks = {
        a: sum(len(s) for s in _build(arch=a, input_size=16).stages)
        for a in ('ir18', 'ir34')
    }
    assert blocks == dict(ir18=8, ir34=16)
    se = _build(
        arch=dict(
            stage_blocks=(1, 1, 1, 1), channels=(16, ) * 4, with_se=True),
        input_size=(16, 32),
        embedding_dim=8)
    assert se.stages[0][0].se.__class__.__name__ == 'SELayer'
    assert se(torch.randn(2, 3, 16, 32))[0].shape == (2, 8)


def test_empty_batch_in_eval():
    model = _build(arch='tiny', input_size=16, embedding_dim=8).eval()
    assert model(torch.zeros(0, 3, 16, 16))[0].shape == (0, 8)


def test_bad_inputs():
    with pytest.raises(KeyError, match='unknown arch'):
        _build(arch='ir200')
    with pytest.raises(ValueError, match='divisible by 16'):
        _build(arch='tiny', input_size=100)
    with pytest.raises(ValueError, match='stage_blocks'):
        _build(arch=dict(stage_blocks=(1, 1)))
    model = _build(arch='tiny', input_size=16)
    with pytest.raises(ValueError, match=r'\(N, C, 16, 16\)'):
        model(torch.randn(1, 3, 32, 32))
