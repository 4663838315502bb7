# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""CurricularFaceHead takes every target ArcFaceClsHead takes (issue 18,
item 5): integer or integral float class indices, shape (N,) or (N, 1), with
or without sub-centres; a non-integral float target is a clear error."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import projects.curricularface  # noqa: F401


def _heads(**kwargs):
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    cfg = dict(in_channels=10, num_classes=5, **kwargs)
    arc = MODELS.build(dict(type='ArcFaceClsHead', **cfg))
    torch.manual_seed(0)
    cur = MODELS.build(dict(type='CurricularFaceHead', **cfg))
    return arc, cur


@pytest.mark.parametrize('subcenters', [1, 3])
@pytest.mark.parametrize('target', [
    torch.zeros(4),
    torch.tensor([0., 4., 2., 1.]),
    torch.tensor([[0.], [4.], [2.], [1.]]),
    torch.tensor([0, 4, 2, 1]),
])
def test_float_targets_as_the_parent(subcenters, target):
    arc, cur = _heads(num_subcenters=subcenters)
    feats = (torch.rand(4, 10), )
    # the parent takes it, and so does CurricularFace, with the same result
    # as for the long indices
    assert arc(feats, target).shape == (4, 5)
    out = cur(feats, target)
    cur.t.zero_()
    ref = cur(feats, target.view(-1).long())
    assert out.shape == (4, 5) and out.dtype == torch.float32
    assert torch.equal(out, ref)


def test_loss_as_mmpretrain_tests_it():
    """mmpretrain's ArcFaceClsHead test_loss, with and without
    sub-centres."""
    for subcenters in (1, 3):
        _, cur = _heads(num_subcenters=subcenters)
        samples = [DataSample().set_gt_label(1) for _ in range(4)]
        losses = cur.loss((torch.rand(4, 10), ), samples)
        assert set(losses) == {'loss'} and losses['loss'].item() > 0


@pytest.mark.parametrize('bad', [[0.5, 1.0], [0.0, float('nan')],
                                 [1.0000001, 2.0]])
def test_non_integral_float_target_is_a_clear_error(bad):
    _, cur = _heads()
    target = torch.tensor(bad, dtype=torch.float64)
    with pytest.raises(TypeError, match='non-integral values'):
        cur((torch.rand(2, 10), ), target)
    assert cur.t.item() == 0.0  # nothing updated before the error
