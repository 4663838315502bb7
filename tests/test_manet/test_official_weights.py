# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""State dicts with the official key sets (``vgg_normalised.pth``,
``decoder_iter_160000.pth``, ``ma_module_iter_160000.pth``) load strictly
after ``tools/model_converters/manet_to_mm.py``."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.manet  # noqa: F401
from projects.manet import convert_official_state_dicts

from ._reference import load_tool, official_decoder, official_vgg


def _converter():
    return load_tool('tools', 'model_converters', 'manet_to_mm.py')


def _official_ma(channels: int = 512) -> dict:
    return {
        f'{block}.{conv}.{param}':
        torch.full((channels, channels, 1, 1) if param == 'weight' else
                   (channels, ), float(index))
        for index, (block, conv, param) in enumerate(
            (b, c, p) for b in ('CA', 'CSA', 'SSA')
            for c in ('f', 'g', 'h', 'out_conv') for p in ('weight', 'bias'))
    }


def _zeros_like(module: torch.nn.Module) -> dict:
    return {k: torch.zeros_like(v) for k, v in module.state_dict().items()}


@pytest.fixture(scope='module')
def official(tmp_path_factory) -> dict:
    """Full-size synthetic state dicts of the official key sets, saved as
    the official files."""
    root = tmp_path_factory.mktemp('official')
    states = dict(
        vgg=_zeros_like(official_vgg()),
        decoder=_zeros_like(official_decoder()),
        ma_module=_official_ma())
    paths = {}
    for name, state in states.items():
        paths[name] = root / f'{name}.pth'
        torch.save(state, paths[name])
    assert len(states['vgg']) == 34 and '51.weight' in states['vgg']
    assert len(states['decoder']) == 18 and '28.weight' in states['decoder']
    return dict(states=states, paths=paths, root=root)


def test_official_manet_weights_load_strictly(official):
    init_default_scope('mmpretrain')
    out = official['root'] / 'manet_mm.pth'
    converted = _converter().main([
        str(out), '--vgg',
        str(official['paths']['vgg']), '--decoder',
        str(official['paths']['decoder']), '--ma-module',
        str(official['paths']['ma_module'])
    ])
    model = MODELS.build(
        dict(
            type='MANetStyleTransfer',
            encoder=dict(type='NormalisedVGG19Encoder'),
            ma_module=dict(type='MultiAdaptationModule'),
            decoder=dict(type='MirrorVGGDecoder')))
    checkpoint = torch.load(out, map_location='cpu', weights_only=False)
    assert checkpoint['meta']['dropped_tensors']['vgg'] == 6
    model.load_state_dict(checkpoint['state_dict'], strict=True)
    assert set(converted) == set(model.state_dict())
    # the tensors went to the right places
    ma = official['states']['ma_module']
    assert torch.equal(model.ma_module.content_sa.h.weight, ma['CSA.h.weight'])
    assert torch.equal(model.ma_module.co_adaptation.out_conv.bias,
                       ma['CA.out_conv.bias'])
    assert torch.equal(model.ma_module.style_sa.f.weight, ma['SSA.f.weight'])


def test_official_adain_weights_load_strictly(official):
    init_default_scope('mmpretrain')
    state, _ = convert_official_state_dicts(
        vgg=official['states']['vgg'],
        decoder=official['states']['decoder'])
    model = MODELS.build(
        dict(
            type='AdaINStyleTransfer',
            encoder=dict(type='NormalisedVGG19Encoder'),
            decoder=dict(type='MirrorVGGDecoder')))
    model.load_state_dict(state, strict=True)


def test_wrong_key_sets_are_refused(official):
    vgg = dict(official['states']['vgg'])
    vgg.pop('51.bias')
    vgg['module.0.weight'] = torch.zeros(1)
    with pytest.raises(KeyError, match=r"vgg: not the official key set.*"
                       r"51\.bias.*module\.0\.weight"):
        convert_official_state_dicts(vgg=vgg)
    with pytest.raises(KeyError, match='unknown official files'):
        convert_official_state_dicts(transform={})
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        _converter().main([
            str(official['root'] / 'x.pth'), '--vgg',
            str(official['root'] / 'missing.pth')
        ])
