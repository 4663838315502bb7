# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""InverseTimeLR values and state, StyleTransferMetric numbers and dump."""
import cv2
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import PARAM_SCHEDULERS, init_default_scope
from mmpretrain.registry import METRICS

import projects.manet  # noqa: F401


def _scheduler(lr=1e-4, **kwargs):
    init_default_scope('mmpretrain')
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.Adam([param], lr=lr)
    wrapper = OptimWrapper(optimizer)
    cfg = dict(type='InverseTimeLR', by_epoch=False)
    cfg.update(kwargs)
    return optimizer, PARAM_SCHEDULERS.build(cfg, default_args=dict(
        optimizer=wrapper))


def test_inverse_time_values():
    optimizer, scheduler = _scheduler()
    lrs = []
    for _ in range(3001):
        lrs.append(optimizer.param_groups[0]['lr'])
        scheduler.step()
    for step in (0, 1, 2, 1000, 3000):
        assert lrs[step] == 1e-4 / (1 + 5e-5 * step)
    assert lrs[1] == pytest.approx(9.9995000249987e-05, rel=1e-12)
    # the paper's end: 1e-4 / 9 at iteration 160k
    _, late = _scheduler(decay=5e-5, begin=0)
    late.last_step = 159999
    late.step()
    assert late.optimizer.param_groups[0]['lr'] == pytest.approx(1e-4 / 9)


def test_inverse_time_state_and_begin():
    optimizer, scheduler = _scheduler(lr=1.0, decay=0.5, begin=2)
    values = []
    for _ in range(5):
        values.append(optimizer.param_groups[0]['lr'])
        scheduler.step()
    assert values == [1.0, 1.0, 1.0, 1 / 1.5, 1 / 2.0]
    state = scheduler.state_dict()
    assert state['decay'] == 0.5 and state['last_step'] == 3
    with pytest.raises(ValueError, match='decay'):
        _scheduler(decay=-1.0)


def _sample(content_loss, style_loss, seconds, name='a'):
    return dict(
        pred_img=torch.full((3, 4, 5), 0.5),
        content_loss=content_loss,
        style_loss=style_loss,
        time=seconds,
        content_path=f'/x/{name}.jpg',
        style_path='/y/candy.png')


def test_metric_means_speed_and_dump(tmp_path):
    init_default_scope('mmpretrain')
    metric = METRICS.build(
        dict(type='StyleTransferMetric', dump_dir=str(tmp_path / 'out')))
    metric.process({}, [_sample(1.0, 4.0, 0.5), _sample(3.0, 2.0, 1.5, 'b')])
    results = metric.evaluate(2)
    assert results == {
        'style_transfer/content_loss': 2.0,
        'style_transfer/style_loss': 3.0,
        'style_transfer/images_per_second': 1.0,
        'style_transfer/num_images': 2
    }
    written = sorted(p.name for p in (tmp_path / 'out').iterdir())
    assert written == ['a_stylized_candy.png', 'b_stylized_candy.png']
    img = cv2.imread(str(tmp_path / 'out' / written[0]))
    assert img.shape == (4, 5, 3) and int(img[0, 0, 0]) == 128
    with pytest.raises(KeyError, match='pred_img'):
        metric.process({}, [dict(content_loss=1.0)])
    with pytest.raises(ValueError, match='no images'):
        metric.compute_metrics([])
