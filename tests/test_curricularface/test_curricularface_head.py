# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""CurricularFaceHead against hand-computed logits, t, gradients, errors."""
import math

import pytest
import torch
from mmengine.registry import init_default_scope

import projects.curricularface  # noqa: F401
from mmpretrain.models.heads import ArcFaceClsHead
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

M, S, ALPHA = 0.5, 64.0, 0.01


def _cos_plus_m(c: float, m: float = M) -> float:
    """cos(acos(c) + m), by hand."""
    return c * math.cos(m) - math.sqrt(1 - c * c) * math.sin(m)


def _head(num_classes=3, in_channels=2, **kwargs):
    init_default_scope('mmpretrain')
    return MODELS.build(
        dict(
            type='CurricularFaceHead',
            num_classes=num_classes,
            in_channels=in_channels,
            **kwargs))


def test_registered_subclass_and_defaults():
    head = _head()
    assert isinstance(head, ArcFaceClsHead)
    assert head.scale == S and head.momentum == ALPHA
    assert torch.allclose(head.margins, torch.full((3, ), M))
    assert 't' in head.state_dict() and head.t.item() == 0.0
    assert head.sync_t is False


def test_hard_negatives_and_t_update_before_modulation():
    head = _head()
    cosine = torch.tensor([[0.8, 0.7, 0.1], [0.2, 0.9, -0.3]])
    out = head.margin_logits(cosine, torch.tensor([0, 1]))
    t = ALPHA * (0.8 + 0.9) / 2  # updated from 0 before modulating
    assert head.t.item() == pytest.approx(t, abs=1e-7)
    expected = torch.tensor([
        [_cos_plus_m(0.8), 0.7 * (t + 0.7), 0.1],  # 0.7 > cos(θ+m): hard
        [0.2, _cos_plus_m(0.9), -0.3],  # all negatives easy
    ])
    assert torch.allclose(out, expected, atol=1e-6)


def test_fallback_branch_and_unclamped_mask():
    head = _head()
    # cos_y = -0.95 <= cos(pi - m): target falls back to c - m sin(pi - m);
    # the mask compares with the unclamped cos(θ+m) = -0.9834..., so -0.99
    # stays easy although it is above the fallback value -1.1897...
    cosine = torch.tensor([[-0.95, -0.99, 0.3]])
    out = head.margin_logits(cosine, torch.tensor([0]))
    t = ALPHA * -0.95
    fallback = -0.95 - math.sin(math.pi - M) * M
    assert fallback < -0.99 < _cos_plus_m(-0.95)
    expected = torch.tensor([[fallback, -0.99, 0.3 * (t + 0.3)]])
    assert torch.allclose(out, expected, atol=1e-6)


def test_t_moves_over_steps_and_forward_scales():
    head = _head(num_classes=2, in_channels=2)
    with torch.no_grad():  # class centres on the axes
        head.norm_product.weight.copy_(torch.eye(2))
    angles = [0.3, 0.6, 0.9]
    t = 0.0
    for a in angles:
        feats = torch.tensor([[math.cos(a), math.sin(a)]]) * 3.0
        out = head((feats, ), torch.tensor([0]))
        t = ALPHA * math.cos(a) + (1 - ALPHA) * t
        assert head.t.item() == pytest.approx(t, rel=1e-6)
    c_y, c_n = math.cos(0.9), math.sin(0.9)
    neg = c_n * (t + c_n) if c_n > _cos_plus_m(c_y) else c_n
    assert torch.allclose(
        out, S * torch.tensor([[_cos_plus_m(c_y), neg]]), atol=1e-4)
    head.eval()  # evaluation keeps t and gives plain scaled cosines
    plain = head((feats, ))
    assert torch.allclose(plain, S * torch.tensor([[c_y, c_n]]), atol=1e-5)
    head((feats, ), torch.tensor([0]))
    assert head.t.item() == pytest.approx(t, rel=1e-6)


def test_t_in_checkpoint_and_restored():
    head = _head()
    head.margin_logits(torch.tensor([[0.5, 0.1, 0.2]]), torch.tensor([0]))
    state = head.state_dict()
    fresh = _head()
    fresh.load_state_dict(state)
    assert fresh.t.item() == head.t.item() == pytest.approx(0.005)


def test_gradients_match_finite_differences_float64():
    torch.manual_seed(0)
    head = _head(num_classes=5, in_channels=4).double().eval()
    head.t.fill_(0.3)
    target = torch.tensor([0, 3, 4])
    feats = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    weight = head.norm_product.weight.detach().clone().requires_grad_(True)

    def loss(f, w):
        logits = torch.func.functional_call(head, {'norm_product.weight': w},
                                            ((f, ), ), {'target': target})
        return torch.nn.functional.cross_entropy(logits / 8, target)

    assert torch.autograd.gradcheck(loss, (feats, weight), eps=1e-6, atol=1e-5)


def test_loss_and_training_step_gradients():
    head = _head(num_classes=4, in_channels=8)
    feats = torch.randn(6, 8, requires_grad=True)
    samples = [DataSample().set_gt_label(i % 4) for i in range(6)]
    loss = head.loss((feats, ), samples)['loss']
    loss.backward()
    assert loss.item() > 0 and torch.isfinite(feats.grad).all()
    assert head.norm_product.weight.grad.abs().sum() > 0


def test_empty_batch_keeps_t():
    head = _head()
    out = head((torch.zeros(0, 2), ), torch.zeros(0, dtype=torch.long))
    assert out.shape == (0, 3) and head.t.item() == 0.0


@pytest.mark.parametrize('target', [[0, 3], [-1, 0]])
def test_label_out_of_range_is_clear(target):
    head = _head()
    with pytest.raises(ValueError, match='label out of range.*num_classes=3'):
        head((torch.randn(2, 2), ), torch.tensor(target))


def test_bad_inputs():
    head = _head()
    with pytest.raises(ValueError, match='in_channels'):
        head((torch.randn(2, 5), ), torch.tensor([0, 1]))
    with pytest.raises(TypeError, match='integer'):
        head((torch.randn(2, 2), ), torch.tensor([0.5, 1.0]))
    with pytest.raises(ValueError, match='momentum'):
        _head(momentum=1.5)


def test_per_class_margins_from_a_list_and_a_file(tmp_path):
    margins = [0.2, 0.5, 0.3]
    path = tmp_path / 'margins.txt'
    path.write_text('\n'.join(map(str, margins)) + '\n')
    for spec in (margins, str(path)):
        assert torch.allclose(_head(margins=spec).margins,
                              torch.tensor(margins))
    # a sample of class c is scored with margin m_c: on a batch of class c
    # the per-class head equals a head with the single margin m_c
    torch.manual_seed(0)
    per_class = _head(margins=margins)
    feats = torch.randn(4, 2)
    for c, m in enumerate(margins):
        single = _head(margins=m)
        single.norm_product.weight.data.copy_(per_class.norm_product.weight)
        head = _head(margins=margins)
        head.norm_product.weight.data.copy_(per_class.norm_product.weight)
        samples = [DataSample().set_gt_label(c) for _ in range(4)]
        got = head.loss((feats, ), samples)['loss']
        torch.testing.assert_close(
            got, single.loss((feats, ), samples)['loss'])
        if m != 0.5:  # and the margin matters: 0.5 gives another loss
            wrong = _head(margins=0.5)
            wrong.norm_product.weight.data.copy_(
                per_class.norm_product.weight)
            assert not torch.allclose(
                wrong.loss((feats, ), samples)['loss'], got)
