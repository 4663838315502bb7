# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Every DGD config loads with the recipe it claims; ResNet-56 has 56
layers."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.dgd  # noqa: F401

# CIFAR-10 files differ from the CIFAR-100 ones only by their dataset base;
# checking one of the two keeps the test budget
CONFIGS = sorted(p for p in (Path(__file__).resolve().parents[2] / 'configs' /
                             'dgd').glob('dgd-*.py')
                 if not p.stem.endswith('cifar10'))


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_variant_matches_its_name(path):
    cfg = Config.fromfile(str(path))
    variant = path.stem.split('_')[0].split('-')[-1]
    hooks = [h['type'] for h in cfg.get('custom_hooks', [])]
    assert ('FilterGraftingHook' in hooks) == (variant in ('grafting', 'dgd'))
    assert (cfg.model.get('online_kd')
            is not None) == (variant in ('distillation', 'dgd'))
    assert cfg.model.type == 'DGDPeerClassifier'
    if 'cifar' in path.stem:
        opt = cfg.optim_wrapper.optimizer
        assert (opt.lr, opt.momentum, opt.weight_decay) == (0.1, 0.9, 5e-4)
        assert cfg.train_cfg.max_epochs == 200
        assert cfg.train_dataloader.batch_size == 128
        classes = 100 if 'cifar100' in path.stem else 10
        assert cfg.model.classifier.head.num_classes == classes


def test_cifar_resnet56_depth():
    init_default_scope('mmpretrain')
    backbone = MODELS.build(dict(type='CifarResNet', depth=56))
    convs = [n for n, p in backbone.named_parameters() if p.ndim == 4]
    # 1 stem conv + 27 blocks x 2 convs (+ 2 shortcut convs) + FC = 56
    assert len(convs) == 1 + 54 + 2
    with pytest.raises(KeyError):
        MODELS.build(dict(type='CifarResNet', depth=50))


def test_cifar_mobilenetv2_keeps_a_4x4_map():
    init_default_scope('mmpretrain')
    backbone = MODELS.build(dict(type='CifarMobileNetV2', widen_factor=0.25))
    out = backbone(torch.rand(1, 3, 32, 32))[-1]
    assert out.shape == (1, 1280, 4, 4)
