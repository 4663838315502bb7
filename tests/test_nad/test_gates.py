# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""NAD gates: preset positions and channels on mmpretrain's real models, the
three modes, and clear errors."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from projects.nad import (GATE_PRESETS, PRESET_CHANNELS, ChannelGate, NADGates,
                          official_beta)

from ._models import TINY_CHANNELS, TINY_POSITIONS, tiny_classifier

ARCHS = {
    'resnet50':
    dict(backbone=dict(type='ResNet', depth=50),
         neck=dict(type='GlobalAveragePooling'),
         head=dict(type='LinearClsHead', num_classes=1000, in_channels=2048)),
    'vgg16':
    dict(backbone=dict(type='VGG', depth=16, num_classes=1000),
         neck=None,
         head=dict(type='ClsHead')),
    'densenet121':
    dict(backbone=dict(type='DenseNet', arch='121'),
         neck=dict(type='GlobalAveragePooling'),
         head=dict(type='LinearClsHead', num_classes=1000, in_channels=1024)),
}


def _build(arch: str) -> torch.nn.Module:
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    return MODELS.build(dict(type='ImageClassifier', **ARCHS[arch])).eval()


@pytest.mark.parametrize('arch,count', [('resnet50', 17), ('vgg16', 13),
                                        ('densenet121', 8)])
def test_presets_on_mmpretrain_models(arch, count):
    model = _build(arch)
    x = torch.randn(2, 3, 64, 64)
    if arch == 'resnet50':
        with torch.no_grad():
            plain = model(x, mode='tensor')
    gates = NADGates(arch).attach(model)
    assert len(gates.positions) == count == len(GATE_PRESETS[arch])
    assert [g.channels for g in gates.gates] == PRESET_CHANNELS[arch]
    # the gated modules are those of the official positions
    assert gates.positions[0] == {
        'resnet50': 'backbone.maxpool',
        'vgg16': 'backbone.features.0',
        'densenet121': 'backbone.stem'
    }[arch]
    if arch == 'resnet50':
        with torch.no_grad():
            gates.mode = 'off'
            gated_off = model(x, mode='tensor')
            gates.mode = 'search'
            searched = model(x, mode='tensor')
        assert torch.equal(plain, gated_off)
        assert not torch.allclose(plain, searched)
        # one recorded activation per gate, the official shapes
        assert [a.shape[1] for a in gates.activations.values()
                ] == PRESET_CHANNELS['resnet50']
        assert list(
            gates.activations['backbone.layer4.2'].shape) == [2, 2048, 2, 2]
    gates.detach()
    assert all(not m._forward_hooks for m in model.modules())


def test_off_mode_is_the_original_network_exactly():
    model = tiny_classifier()
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        plain = model(x, mode='tensor')
    keys = set(model.state_dict())
    gates = NADGates(TINY_POSITIONS, mode='off').attach(model)
    assert set(model.state_dict()) == keys  # the model is not edited
    with torch.no_grad():
        assert torch.equal(model(x, mode='tensor'), plain)
    gates.detach()
    with torch.no_grad():
        assert torch.equal(model(x, mode='tensor'), plain)


def test_search_and_binary_modes_scale_the_module_output():
    model = tiny_classifier()
    x = torch.randn(2, 3, 32, 32)
    name = 'backbone.layer1.0'
    gates = NADGates([name], channels=[8], mode='off').attach(model)
    with torch.no_grad():
        gates.gates[0].mask.copy_(
            torch.tensor([3., -2., 0.5, -0.1, 0., 1., -5.,
                          2.]).view(1, 8, 1, 1))
        model(x, mode='tensor')
        raw = gates.activations[name].clone()
        gates.mode = 'search'
        model(x, mode='tensor')
        searched = gates.activations[name]
        gates.mode = 'binary'
        model(x, mode='tensor')
        binary = gates.activations[name]
    sig = torch.sigmoid(gates.gates[0].mask).view(1, 8, 1, 1)
    torch.testing.assert_close(searched, raw * sig)
    # sigmoid(m) > 0.5 <=> m > 0: channels 0, 2, 5, 7 open; m = 0 is closed
    keep = torch.tensor([1., 0, 1, 0, 0, 1, 0, 1]).view(1, 8, 1, 1)
    assert torch.equal(binary, raw * keep)
    assert gates.open_channels()[0].tolist() == [
        True, False, True, False, False, True, False, True
    ]
    assert gates.open_fraction() == 0.5


def test_gradients_reach_every_gate():
    model = tiny_classifier()
    model.requires_grad_(False)
    gates = NADGates(TINY_POSITIONS).attach(model)
    assert [g.channels for g in gates.gates] == TINY_CHANNELS
    model(torch.randn(2, 3, 32, 32), mode='tensor').sum().backward()
    for mask in gates.masks():
        assert mask.grad is not None and mask.grad.abs().sum() > 0


def test_unknown_module_lists_close_names():
    model = tiny_classifier()
    with pytest.raises(KeyError) as err:
        NADGates(['backbone.layer1.0', 'backbone.layr1.1']).attach(model)
    message = str(err.value)
    assert "'backbone.layr1.1'" in message
    assert 'backbone.layer1.1' in message
    with pytest.raises(KeyError, match='unknown preset'):
        NADGates('resnet18')


def test_bad_gate_inputs():
    model = tiny_classifier()
    with pytest.raises(ValueError, match='repeat'):
        NADGates(['backbone.maxpool', 'backbone.maxpool'])
    with pytest.raises(ValueError, match='2 channel counts'):
        NADGates(['backbone.maxpool'], channels=[8, 8])
    # a module outside the forward path of the probe
    with pytest.raises(RuntimeError, match='did not run'):
        NADGates(['head.loss_module']).attach(model)
    gates = NADGates(['backbone.maxpool'], channels=[5]).attach(model)
    with pytest.raises(ValueError, match='5 channels'):
        model(torch.randn(1, 3, 32, 32), mode='tensor')
    gates.detach()
    with pytest.raises(ValueError, match='mode'):
        ChannelGate(4, mode='hard')
    with pytest.raises(ValueError, match='positive'):
        ChannelGate(0)
    with pytest.raises(KeyError, match='no official NAD beta'):
        official_beta('cifar10', 'resnet50')
    assert official_beta('ImageNet', 'vgg16') == 4.5
