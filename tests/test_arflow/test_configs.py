# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Every ARFlow config builds; the recipes carry the official settings."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import HOOKS, MODELS, TRANSFORMS

import projects.arflow  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
CONFIGS = sorted((REPO / 'configs' / 'arflow').glob('*.py'))


def _cfg(name: str) -> Config:
    return Config.fromfile(str(REPO / 'configs' / 'arflow' / name))


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_builds_model_pipelines_and_hooks(path):
    cfg = Config.fromfile(str(path))
    assert cfg.default_scope == 'mmseg'
    assert cfg.custom_imports['imports'] == ['projects.arflow']
    init_default_scope('mmseg')
    model_cfg = cfg.model.copy()
    model_cfg['flow_net'] = dict(model_cfg['flow_net'], init_cfg=None)
    model = MODELS.build(model_cfg)
    assert model.flow_net.n_frames in (2, 3)
    for loader in ('train_dataloader', 'test_dataloader'):
        for step in cfg[loader]['dataset']['pipeline']:
            TRANSFORMS.build(step)
    for hook in cfg.get('custom_hooks', []):
        HOOKS.build(hook)


def test_sintel_recipes_match_the_official_json():
    raw = _cfg('arflow_pwclite_1xb4-1000k_sintel-raw-384x832.py')
    assert raw.model.loss.w_l1 == 0.15 and raw.model.loss.w_ssim == 0.85
    assert raw.model.loss.stage2 == dict(w_l1=0.0, w_ssim=0.0, w_ternary=1.0,
                                         occ_from_back=False)
    assert raw.model.loss.w_smooth == 50.0 and raw.model.loss.smooth_order == 1
    assert raw.custom_hooks[0] == dict(type='FlowLossStageHook',
                                       switch_iter=50000)
    assert raw.train_dataloader.batch_size == 4
    assert raw.train_dataloader.dataset.type == 'SintelRaw'
    assert raw.train_pipeline[1]['crop_size'] == (384, 832)
    opt = raw.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.weight_decay, opt.eps) == ('Adam', 1e-4,
                                                             1e-6, 1e-7)
    assert raw.optim_wrapper.paramwise_cfg.bias_decay_mult == 0.0
    assert raw.train_cfg.max_iters == 10**6
    assert raw.val_dataloader.dataset.subsplit == 'val'
    ar = _cfg('arflow_pwclite-ar_1xb4-1000k_sintel-384x832.py')
    assert ar.model.with_ar and ar.model.w_ar == 0.01
    assert ar.model.loss.w_ternary == 1.0 and ar.model.loss.stage2 is None
    assert ar.model.ar_transform.zoom == (1.0, 1.5, 0.985, 1.015)
    assert ar.model.flow_net.init_cfg.checkpoint.endswith('pwclite_raw.tar')
    assert ar.train_dataloader.dataset.pass_style == ('clean', 'final')
    assert ar.train_cfg.val_interval == 4000


def test_kitti_recipes_and_test_shapes():
    raw = _cfg('arflow_pwclite_1xb4-1000k_kitti-raw-256x832.py')
    assert raw.model.loss.smooth_order == 2 and raw.model.loss.w_smooth == 75
    assert raw.train_pipeline[1] == dict(type='FlowResize', scale=(256, 832))
    assert raw.val_evaluator.reduction == 'pooled'
    mv = _cfg('arflow_pwclite-ar_1xb4-1000k_kitti-mv-256x832.py')
    assert mv.model.w_ar == 0.02 and not mv.model.ar_transform.vflip
    assert mv.train_dataloader.dataset.type == 'KITTIMultiView'
    jitter = mv.train_pipeline[-2]
    assert jitter['contrast'] == 0 and not jitter['gamma']
    sintel = _cfg('arflow_pwclite_sintel-test-448x1024.py')
    assert sintel.test_pipeline[1]['scale'] == (448, 1024)
    assert sintel.test_evaluator.format_only
    kitti = _cfg('arflow_pwclite_kitti2015-test-384x640.py')
    assert kitti.test_pipeline[1]['scale'] == (384, 640)
    three = _cfg('arflow_pwclite-mv_kitti2015-test-384x640.py')
    assert three.model.flow_net.n_frames == 3
    assert three.test_dataloader.dataset.n_frames == 3
