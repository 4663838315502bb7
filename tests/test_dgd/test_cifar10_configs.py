# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Every CIFAR-10 DGD config equals its CIFAR-100 twin (checked in
test_configs.py) except for the dataset: type, folder, 10 classes (and the
offline teacher's run); both normalise with the CIFAR-10 statistics, as the
official grafting.py; each builds a model with 10-way peers."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.dgd  # noqa: F401

CONFIGS = sorted((Path(__file__).resolve().parents[2] / 'configs' /
                  'dgd').glob('dgd-*_cifar10.py'))
# mmpretrain's CIFAR-10 statistics (0-255 scale)
MEAN, STD = [125.307, 122.961, 113.8575], [51.5865, 50.847, 51.255]


def _flat(value, prefix=''):
    if isinstance(value, dict):
        return {
            k: v
            for key, item in value.items()
            for k, v in _flat(item, f'{prefix}.{key}' if prefix else key)
            .items()
        }
    if isinstance(value, (list, tuple)):
        return {
            k: v
            for i, item in enumerate(value)
            for k, v in _flat(item, f'{prefix}[{i}]').items()
        }
    return {prefix: value}


def test_there_are_nine_cifar10_configs():
    assert len(CONFIGS) == 9


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_cifar10_config_differs_only_by_its_dataset(path):
    cifar10 = _flat(Config.fromfile(str(path)).to_dict())
    cifar100 = _flat(
        Config.fromfile(str(path).replace('_cifar10.py',
                                          '_cifar100.py')).to_dict())
    assert cifar10.keys() == cifar100.keys()
    differ = {k for k in cifar10 if cifar10[k] != cifar100[k]}
    expected = {
        'dataset_type', 'model.classifier.head.num_classes',
        'data_preprocessor.num_classes'
    }
    expected |= {f'{split}_dataloader.dataset.{key}'
                 for split in ('train', 'val', 'test')
                 for key in ('type', 'data_root')}
    if '-offline-' in path.stem:
        expected.add('model.teacher_ckpt')
        assert path.stem.replace('offline-distillation',
                                 'baseline') in cifar10['model.teacher_ckpt']
    assert differ == expected
    assert cifar10['dataset_type'] == 'CIFAR10'
    assert cifar10['model.classifier.head.num_classes'] == 10
    assert [cifar10[f'data_preprocessor.mean[{i}]']
            for i in range(3)] == MEAN
    assert [cifar10[f'data_preprocessor.std[{i}]'] for i in range(3)] == STD
    for split in ('train', 'val', 'test'):
        assert cifar10[f'{split}_dataloader.dataset.data_root'].rstrip(
            '/') == 'data/cifar10'

    init_default_scope('mmpretrain')
    cfg = Config.fromfile(str(path))
    model = MODELS.build(cfg.model)
    assert len(model.peers) == 2
    for peer in model.peers:
        linear = [m for m in peer.modules() if isinstance(m, torch.nn.Linear)]
        assert linear[-1].out_features == 10
