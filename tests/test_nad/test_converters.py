# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""torchvision's ResNet-50 and VGG-16 weights (the official NAD analysis
used them) through the converters mmpretrain ships in its package
(``mmpretrain/.mim/tools/model_converters``): the converted keys load
strictly into mmpretrain's classifiers and give the same logits."""
import importlib.util
from pathlib import Path

import mmpretrain
import pytest
import torch
import torchvision
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

CONVERTERS = Path(mmpretrain.__file__).parent / '.mim' / 'tools' / \
    'model_converters'


def _converter(name: str):
    path = CONVERTERS / f'{name}.py'
    assert path.is_file(), f'mmpretrain no longer ships {path}'
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _randomize_bn_stats(model: torch.nn.Module) -> None:
    """Non-trivial running statistics, so that a wrong mapping shows."""
    gen = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen))
            m.running_var.copy_(
                torch.rand(m.num_features, generator=gen) + 0.5)


def _mmpretrain(backbone: dict, neck, head: dict) -> torch.nn.Module:
    init_default_scope('mmpretrain')
    return MODELS.build(
        dict(type='ImageClassifier', backbone=backbone, neck=neck,
             head=head)).eval()


def _check(tv_model, converted: dict, model, size: int) -> None:
    missing, unexpected = model.load_state_dict(converted, strict=True)
    assert not missing and not unexpected
    x = torch.randn(1,
                    3,
                    size,
                    size,
                    generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        expected = tv_model.eval()(x)
        got = model(x, mode='tensor')
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_torchvision_resnet50(tmp_path):
    torch.manual_seed(0)
    tv_model = torchvision.models.resnet50(weights=None)
    _randomize_bn_stats(tv_model)
    src, dst = tmp_path / 'tv.pth', tmp_path / 'mm.pth'
    torch.save(tv_model.state_dict(), src)
    module = _converter('torchvision_to_mmpretrain')
    module.convert(str(src), str(dst), module.convert_resnet)
    model = _mmpretrain(
        dict(type='ResNet', depth=50), dict(type='GlobalAveragePooling'),
        dict(type='LinearClsHead', num_classes=1000, in_channels=2048))
    _check(tv_model, torch.load(dst), model, 32)


def test_torchvision_vgg16(tmp_path):
    torch.manual_seed(0)
    tv_model = torchvision.models.vgg16(weights=None)
    src, dst = tmp_path / 'tv.pth', tmp_path / 'mm.pth'
    torch.save(tv_model.state_dict(), src)
    _converter('vgg_to_mmpretrain').convert(str(src),
                                            str(dst),
                                            layer_num=16,
                                            with_bn=False)
    model = _mmpretrain(dict(type='VGG', depth=16, num_classes=1000), None,
                        dict(type='ClsHead'))
    # 224 px: torchvision's 7x7 average pool is then the identity that
    # mmpretrain's VGG (which has none) assumes
    _check(tv_model, torch.load(dst)['state_dict'], model, 224)
    with pytest.raises(RuntimeError, match='Missing key'):
        model.load_state_dict(tv_model.state_dict(), strict=True)
