# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import math

import pytest
import torch
import torch.nn.functional as F
from mmdet.models.losses import CrossEntropyLoss

from projects.asfd import MarginCrossEntropyLoss


def _inputs(n=10, c=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, c, generator=g) * 2,
            torch.randint(0, c, (n, ), generator=g), torch.rand(n,
                                                                generator=g))


def test_softmax_zero_margin_equals_cross_entropy():
    pred, labels, weight = _inputs()
    mc = MarginCrossEntropyLoss(margin=0.0, scale=1.0)
    ce = CrossEntropyLoss()
    torch.testing.assert_close(
        mc(pred, labels, weight, avg_factor=4.0),
        ce(pred, labels, weight, avg_factor=4.0))
    torch.testing.assert_close(
        MarginCrossEntropyLoss(margin=0.0)(pred, labels),
        F.cross_entropy(pred, labels))


def test_sigmoid_zero_margin_equals_bce():
    pred, labels, weight = _inputs(c=2)
    labels = labels.clamp(max=2)  # 2 = background for 2 sigmoid classes
    mc = MarginCrossEntropyLoss(use_sigmoid=True, margin=0.0)
    bce = CrossEntropyLoss(use_sigmoid=True)
    torch.testing.assert_close(
        mc(pred, labels, weight, avg_factor=3.0),
        bce(pred, labels, weight, avg_factor=3.0))


def test_softmax_margin_by_hand():
    # z = (1, 0), y = 0, m = 0.5, s = 2: logits (1, 0) -> -log(e / (e + 1)).
    mc = MarginCrossEntropyLoss(margin=0.5, scale=2.0)
    loss = mc(torch.tensor([[1.0, 0.0]]), torch.tensor([0]))
    expected = -math.log(math.e / (math.e + 1))
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_sigmoid_margin_with_focal_by_hand():
    # The configs' setting (use_sigmoid, use_focal, m = 0.2): two classes,
    # a face of class 0 with logits (0.4, -0.1): class 0 is positive on
    # z' = 0.4 - 0.2, class 1 negative on z' = -0.1 + 0.2.
    mc = MarginCrossEntropyLoss(
        use_sigmoid=True, use_focal=True, margin=0.2, reduction='sum')
    loss = mc(torch.tensor([[0.4, -0.1]]), torch.tensor([0]))
    p0 = 1 / (1 + math.exp(-0.2))
    p1 = 1 / (1 + math.exp(-0.1))
    expected = (-0.25 * (1 - p0)**2 * math.log(p0) -
                0.75 * p1**2 * math.log(1 - p1))
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_margin_raises_loss_and_gradient():
    pred, labels, _ = _inputs()
    pred.requires_grad_(True)
    plain = MarginCrossEntropyLoss(margin=0.0)(pred, labels)
    margin = MarginCrossEntropyLoss(margin=0.5)(pred, labels)
    assert margin > plain
    margin.backward()
    true_grad = pred.grad.gather(1, labels[:, None])
    assert (true_grad < 0).all()  # the true logit is always pushed up


def test_empty_input():
    pred = torch.zeros((0, 3), requires_grad=True)
    loss = MarginCrossEntropyLoss()(pred, torch.zeros(0, dtype=torch.long),
                                    avg_factor=1.0)
    loss.backward()
    assert loss.item() == 0


def test_bad_inputs():
    mc = MarginCrossEntropyLoss()
    with pytest.raises(ValueError, match=r'labels must be in \[0, 2\]'):
        mc(torch.zeros(2, 3), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match=r'pred must be \(N, C\)'):
        mc(torch.zeros(3), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match='margin must be >= 0'):
        MarginCrossEntropyLoss(margin=-1.0)
    with pytest.raises(ValueError, match='use_focal needs use_sigmoid'):
        MarginCrossEntropyLoss(use_focal=True)
