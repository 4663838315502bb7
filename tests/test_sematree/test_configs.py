# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The LIP/CIHP/PASCAL-Person-Part configs: official head widths, trees,
recipe, and a flip that swaps left/right labels."""
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS, TRANSFORMS

import projects.sematree  # noqa: F401

CFG = 'configs/sematree/sematree_r101-d16_4xb6-150e_{}-384x384.py'


def _cfg(repo_root, name: str) -> Config:
    return Config.fromfile(str(repo_root / CFG.format(name)))


def test_lip_head_has_official_widths(repo_root):
    init_default_scope('mmseg')
    cfg = _cfg(repo_root, 'lip')
    head_cfg = cfg.model.decode_head
    head_cfg.norm_cfg = dict(type='BN')
    head = MODELS.build(head_cfg)
    # Laterals of the official code: C4 -> 514, C3 -> 260, C2 -> 131.
    assert sorted(head.laterals) == ['1_514', '2_260', '3_131']
    assert [r[-1].out_channels for r in head.routers] == [2, 4, 3, 3]
    assert [leaf[-1].out_channels for leaf in head.leaves] == [
        2, 5, 5, 4, 6, 4]
    assert [leaf[0][0].out_channels for leaf in head.leaves] == [
        256, 128, 64, 64, 64, 64]
    assert head.routers[0][0][0].out_channels == 512  # 1024 / 2


def test_recipe(repo_root):
    cfg = _cfg(repo_root, 'lip')
    assert cfg.optim_wrapper.optimizer == dict(
        type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4)
    assert cfg.param_scheduler[0].power == 0.8
    assert cfg.train_cfg.max_epochs == 150
    assert cfg.model.backbone.type == 'ResNetV1c'
    assert cfg.model.backbone.dilations == (1, 1, 1, 2)
    assert cfg.train_dataloader.batch_size * 4 == 24


@pytest.mark.parametrize('name, classes, dataset', [
    ('cihp', 20, 'LIPDataset'),
    ('pascal-person-part', 7, 'PascalPersonPartDataset'),
])
def test_other_datasets_build_their_tree(repo_root, name, classes, dataset):
    init_default_scope('mmseg')
    cfg = _cfg(repo_root, name)
    assert cfg.train_dataloader.dataset.type == dataset
    head_cfg = cfg.model.decode_head
    head_cfg.norm_cfg = dict(type='BN')
    head_cfg.update(channels=8, transform_channels=(4, 4, 4),
                    leaf_channels=(4, 4, 4), fusion_channels=(8, 8),
                    in_channels=[4, 4, 4, 4])
    head = MODELS.build(head_cfg)
    assert head.num_classes == classes


def test_cihp_names_its_class_10_torso_skin(repo_root):
    cfg = _cfg(repo_root, 'cihp')
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        classes = loader.dataset.metainfo['classes']
        assert len(classes) == 20 and classes[10] == 'Torso-skin'
        assert classes[14:] == ('Left-arm', 'Right-arm', 'Left-leg',
                                'Right-leg', 'Left-shoe', 'Right-shoe')


def test_lip_flip_swaps_left_and_right(repo_root):
    init_default_scope('mmseg')
    cfg = _cfg(repo_root, 'lip')
    flip_cfg = [t for t in cfg.train_pipeline if t.type == 'RandomFlip'][0]
    flip = TRANSFORMS.build(dict(flip_cfg, prob=1.0))
    label = np.array([[14, 16, 18, 5], [15, 17, 19, 0]], np.uint8)
    out = flip(dict(img=np.zeros((2, 4, 3), np.uint8), gt_seg_map=label,
                    seg_fields=['gt_seg_map'], img_shape=(2, 4)))
    assert out['gt_seg_map'].tolist() == [[5, 19, 17, 15], [0, 18, 16, 14]]
