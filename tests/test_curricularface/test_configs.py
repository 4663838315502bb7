# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The paper-recipe configs hold the paper's settings and build."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import projects.curricularface  # noqa: F401
from mmpretrain.registry import MODELS

CFG_DIR = Path(__file__).resolve().parents[2] / 'configs' / 'curricularface'


@pytest.mark.parametrize('name,arch', [
    ('curricularface_iresnet100_8xb64-24e_ms1mv2.py', 'ir100'),
    ('curricularface_iresnet50_8xb64-24e_ms1mv2.py', 'ir50'),
    ('curricularface_iresnet-se50_8xb64-24e_ms1mv2.py', 'ir_se50'),
])
def test_paper_recipe(name, arch):
    cfg = Config.fromfile(str(CFG_DIR / name))
    assert cfg.model.backbone.arch == arch
    head = cfg.model.head
    assert (head.type, head.scale, head.margins, head.momentum) == \
        ('CurricularFaceHead', 64.0, 0.5, 0.01)
    assert head.num_classes == 85742 and head.in_channels == 512
    opt = cfg.optim_wrapper
    assert (opt.optimizer.lr, opt.optimizer.momentum,
            opt.optimizer.weight_decay) == (0.1, 0.9, 5e-4)
    assert opt.paramwise_cfg.norm_decay_mult == 0.0
    assert cfg.train_dataloader.batch_size * 8 == 512
    assert cfg.train_cfg.max_epochs == 24
    assert cfg.param_scheduler[0].milestones == [10, 18, 22]
    assert cfg.val_dataloader.dataset.type == 'FaceBinPairDataset'
    assert cfg.val_evaluator.type == 'FaceVerificationMetric'


def test_sharded_recipe():
    cfg = Config.fromfile(
        str(CFG_DIR / 'curricularface_iresnet100_8xb64-24e_ms1mv2-sharded.py'))
    assert cfg.model.head.type == 'ShardedCurricularFaceHead'
    assert cfg.model.head.num_classes == 85742 and 'loss' not in cfg.model.head
    assert cfg.train_dataloader.drop_last
    assert cfg.custom_hooks[0].type == 'ShardedClassifierCheckpointHook'


def test_recipe_model_builds_with_a_small_head():
    cfg = Config.fromfile(
        str(CFG_DIR / 'curricularface_iresnet50_8xb64-24e_ms1mv2.py'))
    cfg.model.head.num_classes = 10
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    assert model.head.t.shape == (1, ) and model.flip_test


def test_sharded_demo_config_is_the_demo_split_over_two_processes():
    demo = Config.fromfile(
        str(CFG_DIR /
            'curricularface_iresnet-tiny_1xb32-300it_face-identities-demo.py'))
    cfg = Config.fromfile(
        str(CFG_DIR / 'curricularface_iresnet-tiny_2xb16-300it_'
            'face-identities-demo-sharded.py'))
    head, plain = cfg.model.head, demo.model.head
    assert head.type == 'ShardedCurricularFaceHead'
    assert plain.type == 'CurricularFaceHead'
    for key in ('num_classes', 'in_channels', 'scale', 'margins',
                'momentum'):
        assert head[key] == plain[key], key
    # 2 processes of 16 = the demo's batch of 32; equal shards every step
    assert cfg.train_dataloader.batch_size * 2 == \
        demo.train_dataloader.batch_size
    assert cfg.train_dataloader.drop_last
    assert [h.type for h in cfg.custom_hooks] == [
        'ShardedClassifierCheckpointHook'
    ]
    assert cfg.train_cfg == demo.train_cfg
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    # one process holds every class
    assert (model.head.class_start, model.head.num_local_classes) == (0, 20)
    assert model.head.norm_product.weight.shape == (20, head.in_channels)
