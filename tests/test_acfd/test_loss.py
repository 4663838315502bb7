# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import math

import pytest
import torch
from mmdet.models.losses import CrossEntropyLoss, FocalLoss

from projects.acfd import MarginBinaryClassificationLoss


def _inputs(n=12, c=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    pred = torch.randn(n, c, generator=g) * 2
    labels = torch.randint(0, c + 1, (n, ), generator=g)  # c = background
    weight = torch.rand(n, generator=g)
    return pred, labels, weight


def test_zero_margin_equals_focal_loss():
    pred, labels, weight = _inputs()
    mbc = MarginBinaryClassificationLoss(margin=0.0, scale=1.0)
    focal = FocalLoss(use_sigmoid=True, gamma=2.0, alpha=0.25)
    # bit for bit (the README says "exactly")
    assert torch.equal(mbc(pred, labels, weight, avg_factor=5.0),
                       focal(pred, labels, weight, avg_factor=5.0))


def test_zero_margin_equals_bce():
    pred, labels, weight = _inputs()
    mbc = MarginBinaryClassificationLoss(margin=0.0, use_focal=False)
    bce = CrossEntropyLoss(use_sigmoid=True)
    assert torch.equal(mbc(pred, labels, weight, avg_factor=7.0),
                       bce(pred, labels, weight, avg_factor=7.0))


def test_margin_value_by_hand():
    # One class, a positive with z = 1 and a negative with z = -1, m = 0.5,
    # s = 2: BCE on z' = 2 * (1 - 0.5) = 1 (target 1) and
    # z' = 2 * (-1 + 0.5) = -1 (target 0): both log(1 + e^-1).
    mbc = MarginBinaryClassificationLoss(
        margin=0.5, scale=2.0, use_focal=False, reduction='sum')
    loss = mbc(torch.tensor([[1.0], [-1.0]]), torch.tensor([0, 1]))
    expected = 2 * torch.log1p(torch.exp(torch.tensor(-1.0)))
    torch.testing.assert_close(loss, expected)


def _sigmoid(x):
    return 1 / (1 + math.exp(-x))


def test_margin_with_focal_by_hand():
    # The configs' setting: m = 0.5, s = 1, focal alpha 0.25, gamma 2, on
    # the margined logit z'. One class; a positive at z = 0.2 and a
    # negative (label 1 = background) at z = 0.2.
    mbc = MarginBinaryClassificationLoss(margin=0.5, reduction='none')
    loss = mbc(torch.tensor([[0.2], [0.2]]), torch.tensor([0, 1]))
    p_pos = _sigmoid(0.2 - 0.5)  # z' = -0.3, p_t = p
    pos = -0.25 * (1 - p_pos)**2 * math.log(p_pos)
    p_neg = _sigmoid(0.2 + 0.5)  # z' = 0.7, p_t = 1 - p
    neg = -0.75 * p_neg**2 * math.log(1 - p_neg)
    assert loss[:, 0].tolist() == pytest.approx([pos, neg], rel=1e-6)
    # the margin raises both: without it, z' = 0.2 for both
    plain = MarginBinaryClassificationLoss(margin=0.0, reduction='none')(
        torch.tensor([[0.2], [0.2]]), torch.tensor([0, 1]))
    assert (loss > plain).all()


def test_soft_targets_by_hand():
    # (N, C) soft targets y = 0.3: z' = z - m (2y - 1) = 0.1 + 0.2;
    # BCE(z', y) weighted by (alpha y + (1 - alpha)(1 - y)) |y - p|^gamma
    # (the focal weight with soft targets, as mmdet writes it).
    z, y, m = 0.1, 0.3, 0.5
    zm = z - m * (2 * y - 1)
    p = _sigmoid(zm)
    bce = -(y * math.log(p) + (1 - y) * math.log(1 - p))
    focal = bce * (0.25 * y + 0.75 * (1 - y)) * ((1 - p) * y + p *
                                                  (1 - y))**2
    soft = torch.tensor([[y]])
    for use_focal, expected in ((True, focal), (False, bce)):
        mbc = MarginBinaryClassificationLoss(
            margin=m, use_focal=use_focal, reduction='sum')
        assert mbc(torch.tensor([[z]]), soft).item() == pytest.approx(
            expected, rel=1e-6)
    # a one-hot (N, C) target equals the index target
    pred, labels, weight = _inputs()
    one_hot = torch.nn.functional.one_hot(labels, 4)[:, :3].float()
    mbc = MarginBinaryClassificationLoss(margin=0.3)
    torch.testing.assert_close(mbc(pred, one_hot, weight, avg_factor=5.0),
                               mbc(pred, labels, weight, avg_factor=5.0))


def test_margin_gradient_signs():
    mbc = MarginBinaryClassificationLoss(margin=1.0, use_focal=False)
    plain = MarginBinaryClassificationLoss(margin=0.0, use_focal=False)
    # A negative at z = -0.5 is right but inside the margin: the margin
    # loss still pushes it down, harder than plain BCE.
    z = torch.tensor([[-0.5]], requires_grad=True)
    mbc(z, torch.tensor([1])).backward()
    g_margin = z.grad.item()
    z.grad = None
    plain(z, torch.tensor([1])).backward()
    assert g_margin > z.grad.item() > 0
    # A positive at z = 0.5 is pushed up (negative gradient), harder too.
    z = torch.tensor([[0.5]], requires_grad=True)
    mbc(z, torch.tensor([0])).backward()
    g_margin = z.grad.item()
    z.grad = None
    plain(z, torch.tensor([0])).backward()
    assert g_margin < z.grad.item() < 0


def test_empty_input():
    mbc = MarginBinaryClassificationLoss()
    pred = torch.zeros((0, 2), requires_grad=True)
    loss = mbc(pred, torch.zeros((0, ), dtype=torch.long), avg_factor=1.0)
    loss.backward()
    assert loss.item() == 0


def test_bad_inputs():
    mbc = MarginBinaryClassificationLoss()
    with pytest.raises(ValueError, match='labels must be in'):
        mbc(torch.zeros(2, 2), torch.tensor([0, 5]))
    with pytest.raises(ValueError, match=r'\(N, C\)'):
        mbc(torch.zeros(2), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match='use_sigmoid'):
        MarginBinaryClassificationLoss(use_sigmoid=False)
    with pytest.raises(ValueError, match='margin'):
        MarginBinaryClassificationLoss(margin=-1)
