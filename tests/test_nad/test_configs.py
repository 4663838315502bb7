# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The NAD configs: official search settings per architecture, the search
pipeline, and the plugin import."""
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import TRANSFORMS

from projects.nad import GATE_PRESETS, official_beta

REPO = Path(__file__).resolve().parents[2]
SEARCH_CONFIGS = {
    'resnet50': ('nad_resnet50_torchvision-in1k_search.py', 'ResNet'),
    'vgg16': ('nad_vgg16_torchvision-in1k_search.py', 'VGG'),
    'densenet121': ('nad_densenet121_3rdparty-in1k_search.py', 'DenseNet'),
}


@pytest.mark.parametrize('arch', sorted(SEARCH_CONFIGS))
def test_search_configs_hold_the_official_settings(arch):
    name, backbone = SEARCH_CONFIGS[arch]
    cfg = Config.fromfile(str(REPO / 'configs' / 'nad' / name))
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.custom_imports.imports == ['projects.nad']
    assert cfg.model.backbone.type == backbone
    nad = cfg.nad
    assert nad.positions == arch and arch in GATE_PRESETS
    assert nad.beta == official_beta('imagenet', arch)
    assert (nad.lr, nad.epochs, nad.batch_size, nad.seed,
            nad.eval_epoch) == (0.1, 21, 16, 233, 20)
    init_default_scope('mmpretrain')
    results = dict(img=np.zeros((300, 200, 3), np.uint8))
    for step in nad.pipeline[1:-1]:
        results = TRANSFORMS.build(step)(results)
    assert results['img'].shape == (224, 224, 3)


def test_demo_config_search_settings():
    cfg = Config.fromfile(
        str(REPO / 'configs/nad/nad_resnet18-tiny_shapes-demo.py'))
    assert cfg.default_scope == 'mmpretrain'
    assert len(cfg.nad.positions) == 7 and cfg.nad.eval_epoch == 20
