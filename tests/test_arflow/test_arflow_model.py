# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ARFlow model: loss keys, L_AR = 0 under the identity, prediction
resizing, and the stage-switch hook."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import HOOKS, MODELS

from projects.arflow import FlowDataSample
from projects.arflow.models import resize_flow

IDENTITY_AR = dict(
    type='RandomAffineFlow',
    rotate=(0, 0, 0, 0),
    squeeze=(1, 1, 1, 1),
    trans=(0, 0),
    zoom=(1, 1, 1, 1),
    hflip=False,
    add_noise=False)


def _model(**kwargs):
    init_default_scope('mmseg')
    cfg = dict(
        type='ARFlow',
        flow_net=dict(type='PWCLite'),
        loss=dict(
            type='UnFlowLoss',
            stage2=dict(w_l1=0.0, w_ssim=0.0, w_ternary=1.0,
                        occ_from_back=False)),
        with_ar=True,
        w_ar=0.01)
    cfg.update(kwargs)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def test_ar_loss_is_zero_under_the_identity_transform():
    model = _model(ar_transform=IDENTITY_AR)
    imgs = torch.rand(1, 6, 64, 64)
    losses = model.loss(dict(imgs=imgs))
    assert set(losses) >= {'loss_photo', 'loss_smooth', 'loss_ar'}
    assert losses['loss_ar'].item() < 1e-6
    exact = _model(ar_transform=None).loss(dict(imgs=imgs))
    assert exact['loss_ar'].item() == 0.0


def test_real_transform_gives_positive_ar_loss_and_gradients():
    model = _model(ar_transform=dict(type='RandomAffineFlow'))
    imgs = torch.rand(1, 6, 64, 64)
    ph = (imgs * 0.8).clamp(0, 1)
    losses = model.loss(dict(imgs=imgs, imgs_ph=ph))
    assert losses['loss_ar'].item() > 0
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    total.backward()
    grads = [p.grad for p in model.flow_net.parameters()]
    assert all(g is not None for g in grads)
    assert model.flow_net.conv_1x1[4][0].weight.grad.abs().sum() > 0


def test_predict_resizes_to_the_original_shape():
    model = _model(with_ar=False).eval()
    sample = FlowDataSample(metainfo=dict(ori_shape=(40, 80)))
    with torch.no_grad():
        out = model.predict(dict(imgs=torch.rand(1, 6, 64, 64)), [sample])
    assert out[0].pred_flow_fw.data.shape == (2, 40, 80)
    flow = torch.ones(1, 2, 4, 4)
    flow[:, 1] = 2
    resized = resize_flow(flow, (8, 2))
    assert torch.allclose(resized[:, 0], torch.full((1, 8, 2), 0.5))
    assert torch.allclose(resized[:, 1], torch.full((1, 8, 2), 4.0))
    with pytest.raises(TypeError, match='PixelData'):
        sample.pred_flow_fw = torch.zeros(2, 4, 4)
    sample.gt_flow_fw = PixelData(data=torch.zeros(2, 4, 4))


def test_stage_hook_switches_at_the_configured_iteration():
    model = _model(with_ar=False)
    hook = HOOKS.build(dict(type='FlowLossStageHook', switch_iter=3))
    runner = SimpleNamespace(model=model, iter=2)
    hook.before_train_iter(runner, 0)
    assert int(model.loss_func.stage) == 1
    runner.iter = 3
    hook.before_train_iter(runner, 0)
    assert int(model.loss_func.stage) == 2
    assert model.state_dict()['loss_func.stage'].item() == 2
    with pytest.raises(AttributeError, match='staged loss'):
        HOOKS.build(dict(type='FlowLossStageHook',
                         loss_attr='flow_net')).before_train_iter(runner, 0)
