# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The faster inference paths of ASFD (#20) give the outputs of the plain
ones: the finer-level pooling, and the deployed detector's detections."""

import pytest
import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope

import projects.asfd  # noqa: F401
from projects.asfd import fem_blocks

D0 = 'configs/asfd/asfd_d0_mobilenetv2_autofem_8xb8-80e_widerface.py'


def _adaptive_only(x, ref, direction):
    """``_resize_to`` as first written: adaptive max pooling for 'finer'."""
    if direction == 'finer':
        return F.adaptive_max_pool2d(x, ref.shape[-2:])
    if direction == 'coarser':
        return F.interpolate(x, size=ref.shape[-2:], mode='nearest')
    return x


@pytest.mark.parametrize('shape', [(12, 16), (11, 16)])
def test_finer_resize_equals_adaptive_pooling(shape):
    # ReLU'd input: ties (zeros) inside the 2x2 windows, where the gradient
    # must still go to the same element as adaptive pooling sends it
    torch.manual_seed(0)
    x = torch.randn(2, 3, *shape).relu()
    ref = torch.empty(2, 3, 6, 8)
    grads = []
    for resize in (fem_blocks._resize_to, _adaptive_only):
        xg = x.clone().requires_grad_()
        out = resize(xg, ref, 'finer')
        (out * torch.arange(out.numel()).view_as(out)).sum().backward()
        grads.append((out.detach(), xg.grad))
    assert grads[0][0].shape == (2, 3, 6, 8)
    assert torch.equal(grads[0][0], grads[1][0])
    assert torch.equal(grads[0][1], grads[1][1])
    assert (x[..., :12, :].reshape(-1) == 0).sum() > 100  # ties were there


def test_autofem_equals_adaptive_pooling_form(monkeypatch):
    init_default_scope('mmdet')
    torch.manual_seed(0)
    neck = MODELS.build(dict(type='AutoFEM', in_channels=[8, 12, 16],
                             out_channels=8, num_outs=5, num_repeats=2))
    feats = (torch.randn(2, 8, 16, 16), torch.randn(2, 12, 8, 8),
             torch.randn(2, 16, 4, 4))
    outs = []
    for resize in (fem_blocks._resize_to, _adaptive_only):
        monkeypatch.setattr(fem_blocks, '_resize_to', resize)
        inputs = tuple(f.clone().requires_grad_() for f in feats)
        neck.zero_grad()
        out = neck(inputs)
        sum(o.sum() for o in out).backward()
        outs.append([o.detach() for o in out] + [f.grad for f in inputs] +
                    [p.grad.clone() for p in neck.parameters()])
    assert len(outs[0]) == len(outs[1]) > 20
    for new, old in zip(*outs):
        assert torch.equal(new, old)


def test_asfd_deploy_gives_same_detections(repo_root, randomize_batch_norms,
                                           predict_before_and_after_deploy):
    # Non-trivial batch-norm statistics and affine terms, so that folding
    # them changes the convolutions; then the whole predict path (head,
    # decoding, NMS) of both forms is compared.
    init_default_scope('mmdet')
    cfg = Config.fromfile(str(repo_root / D0))
    cfg.model.backbone.init_cfg = None
    cfg.model.test_cfg.score_thr = 0.0
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    norms = randomize_batch_norms(model)
    # spread the scores (at init they all sit near the 0.01 prior), so that
    # the ranking and NMS do not hinge on rounding-level ties
    model.bbox_head.retina_cls.weight.data.normal_(0, 0.2)
    model.bbox_head.retina_cls.bias.data.zero_()
    model.eval()
    samples = [DetDataSample(metainfo=dict(img_shape=(128, 192),
                                           ori_shape=(128, 192),
                                           scale_factor=(1., 1.)))
               for _ in range(2)]
    data = model.data_preprocessor(
        dict(inputs=[torch.randint(0, 256, (3, 128, 192), dtype=torch.uint8)
                     for _ in range(2)], data_samples=samples), False)
    expected, deployed, got = predict_before_and_after_deploy(model, data)
    assert norms > 50
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                   for m in deployed.modules())
    convs = [m for m in deployed.modules() if isinstance(m, torch.nn.Conv2d)]
    assert all(m.weight.is_contiguous(memory_format=torch.channels_last)
               for m in convs)
    for a, b in zip(got, expected):
        a, b = a.pred_instances, b.pred_instances
        assert len(b) >= 100
        torch.testing.assert_close(a.scores, b.scores, rtol=1e-4, atol=1e-5)
        assert torch.equal(a.labels, b.labels)
        # detections whose scores tie to rounding may come in another
        # order: every box must have its twin (same box, same score)
        dist = torch.cdist(a.bboxes, b.bboxes, p=float('inf'))
        dist += (a.scores[:, None] - b.scores[None]).abs() > 1e-5
        assert float(dist.min(1).values.max()) < 1e-3
        assert float(dist.min(0).values.max()) < 1e-3
        moved = (a.bboxes - b.bboxes).abs().amax(1) > 1e-3
        assert int(moved.sum()) < 0.1 * len(b)
