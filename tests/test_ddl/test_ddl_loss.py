# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DistributionDistillationLoss against hand-computed values, gradients and
errors."""
import math

import pytest
import torch

from projects.ddl import DistributionDistillationLoss

R = 1 / math.sqrt(2)


def _t(rows):
    return torch.tensor(rows, dtype=torch.float64)


def _inputs():
    """Two branches. Branch 1 has a positive pair below the threshold and a
    row whose later cosines are all negative."""
    neg = [_t([[1, 0], [0, 1], [1, 1]]), _t([[1, 0], [-1, 0.1], [-1, -0.1]])]
    pos_a = [_t([[1, 0], [0, 1]]), _t([[1, 0], [1, 0]])]
    pos_b = [_t([[1, 1], [0, 1]]), _t([[0.6, 0.8], [-1, 0.2]])]
    return neg, pos_a, pos_b


def _hand_hist(sims, bins, sigma):
    dens = [
        sum(math.exp(-0.5 * ((s - t) / sigma)**2) for s in sims) for t in bins
    ]
    return [d / sum(dens) for d in dens]


def _hand_kl(p, q, eps):
    return sum((pk + eps) * (math.log(pk + eps) - math.log(qk + eps))
               for pk, qk in zip(p, q))


def test_similarities_by_hand():
    loss = DistributionDistillationLoss()
    neg, pos_a, pos_b = _inputs()
    assert torch.allclose(loss.negative_similarities(neg[0]), _t([R, R, 0]))
    # Row 0 of branch 1: cosines to later samples are all negative -> 0.
    cos12 = (1 - 0.01) / 1.01
    assert torch.allclose(loss.negative_similarities(neg[1]), _t([0, cos12,
                                                                  0]))
    assert torch.allclose(loss.positive_similarities(pos_a[0], pos_b[0]),
                          _t([R, 1]))
    # The second pair of branch 1 (cosine about -0.98) is left out.
    assert torch.allclose(loss.positive_similarities(pos_a[1], pos_b[1]),
                          _t([0.6]))


def test_loss_matches_hand_computation():
    bins, sigma, eps = [0.0, 0.5], 0.5, 1e-9
    loss = DistributionDistillationLoss(pos_kl_weight=0.3,
                                        neg_kl_weight=0.7,
                                        order_loss_weight=0.2,
                                        sigma=sigma,
                                        num_bins=2,
                                        bin_start=0.0,
                                        bin_step=0.5,
                                        eps=eps)
    cos12 = (1 - 0.01) / 1.01
    pos = [[R, 1.0], [0.6]]
    neg = [[R, R, 0.0], [0.0, cos12, 0.0]]
    kl_pos = _hand_kl(_hand_hist(pos[0], bins, sigma),
                      _hand_hist(pos[1], bins, sigma), eps)
    kl_neg = _hand_kl(_hand_hist(neg[0], bins, sigma),
                      _hand_hist(neg[1], bins, sigma), eps)
    order = sum(sum(n) / len(n) - sum(p) / len(p) for n in neg for p in pos)
    terms = loss.loss_terms(*_inputs())
    assert terms['kl_pos'].item() == pytest.approx(kl_pos, rel=1e-9)
    assert terms['kl_neg'].item() == pytest.approx(kl_neg, rel=1e-9)
    assert terms['order'].item() == pytest.approx(order, rel=1e-9)
    expected = 0.3 * kl_pos + 0.7 * kl_neg + 0.2 * order
    assert loss(*_inputs()).item() == pytest.approx(expected, rel=1e-9)
    assert kl_pos > 0 and kl_neg > 0


def test_identical_branches_have_zero_kl():
    loss = DistributionDistillationLoss()
    neg, pos_a, pos_b = _inputs()
    terms = loss.loss_terms([neg[0], neg[0]], [pos_a[0]] * 2, [pos_b[0]] * 2)
    assert terms['kl_pos'].abs().item() < 1e-12
    assert terms['kl_neg'].abs().item() < 1e-12
    # 4 (neg, pos) pairs of mean(neg)=2R/3 and mean(pos)=(R+1)/2.
    assert terms['order'].item() == pytest.approx(4 * (2 * R / 3 -
                                                       (R + 1) / 2))


def test_histogram_default_bins_sum_to_one_and_peak():
    loss = DistributionDistillationLoss()
    hist = loss.histogram(_t([0.25, 0.75, 0.3]))
    assert hist.shape == (1, 1000)
    assert hist.sum().item() == pytest.approx(1.0, abs=1e-12)
    one = loss.histogram(_t([0.4]))
    assert one.argmax().item() == 400
    assert torch.allclose(loss.bins[[0, 1, -1]], _t([0.0, 0.001, 0.999]))


def test_gradients_by_finite_differences():
    loss = DistributionDistillationLoss(num_bins=20, bin_step=0.05)
    gen = torch.Generator().manual_seed(0)
    feats = [
        torch.rand(3, 2, generator=gen, dtype=torch.float64) + 0.1
        for _ in range(6)
    ]
    for f in feats:
        f.requires_grad_(True)

    def fn(*xs):
        return loss([xs[0], xs[1]], [xs[2], xs[3]], [xs[4], xs[5]])

    assert torch.autograd.gradcheck(fn, feats, eps=1e-6, atol=1e-6)
    # The teacher branch is not detached: it receives gradient.
    fn(*feats).backward()
    assert feats[0].grad.abs().sum() > 0 and feats[2].grad.abs().sum() > 0


def test_default_loss_float32_backward():
    # The default loss (1000 bins, sigma 0.1) in float32 gives the float64
    # value and gradients (measured: relative differences under 3e-7).
    loss = DistributionDistillationLoss()
    gen = torch.Generator().manual_seed(1)
    base = [torch.randn(8, 16, generator=gen) for _ in range(6)]

    def run(dtype):
        feats = [b.to(dtype, copy=True).requires_grad_() for b in base]
        value = loss(feats[:2], feats[2:4],
                     [f + 3 * g for f, g in zip(feats[2:4], feats[4:])])
        value.backward()
        return value, [f.grad for f in feats]

    value, grads = run(torch.float32)
    ref_value, ref_grads = run(torch.float64)
    assert value.dtype == torch.float32
    assert value.item() == pytest.approx(ref_value.item(), rel=1e-5)
    for grad, ref in zip(grads, ref_grads):
        assert grad.dtype == torch.float32 and ref.abs().max() > 1e-2
        torch.testing.assert_close(grad, ref.float(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize('args, match', [
    (([torch.ones(2, 2)], [torch.ones(2, 2)] * 2, [torch.ones(2, 2)] * 2),
     'one tensor per branch'),
    (([], [], []), 'no branch'),
    (([torch.ones(0, 2)], [torch.ones(2, 2)], [torch.ones(
        2, 2)]), r'neg_feats\[0\] has 0 rows'),
    (([torch.ones(2, 2)], [torch.ones(0, 2)], [torch.ones(
        0, 2)]), r'pos_feats_a\[0\] has 0 rows'),
    (([torch.ones(2, 2)], [torch.ones(2, 2)], [torch.ones(3, 2)
                                               ]), r'pos_feats_b\[0\] has'),
    (([torch.ones(2)], [torch.ones(2, 2)], [torch.ones(
        2, 2)]), r'neg_feats\[0\] must be \(N, D\)'),
    (([torch.eye(2)] * 2, [torch.eye(2)] * 2, [torch.eye(2), -torch.eye(2)]),
     'no positive pair of branch 1'),
])
def test_bad_inputs_raise(args, match):
    with pytest.raises(ValueError, match=match):
        DistributionDistillationLoss()(*args)


def test_skip_empty_positives_leaves_branch_out(monkeypatch):
    from projects.ddl import ddl_loss
    logged = []
    monkeypatch.setattr(ddl_loss, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    loss = DistributionDistillationLoss(skip_empty_positives=True)
    neg, pos_a, pos_b = _inputs()
    # Branch 1 has no positive pair: only its negatives count.
    terms = loss.loss_terms(neg, pos_a, [pos_b[0], -pos_a[1]])
    full = loss.loss_terms(neg, pos_a, pos_b)
    assert loss.num_skipped_branches == 1
    assert logged == [
        'DistributionDistillationLoss: branch 1 has no positive pair above '
        f'{loss.positive_threshold}; left out (1 branches so far)'
    ]
    assert terms['kl_pos'].item() == 0.0
    assert terms['kl_neg'].item() == pytest.approx(full['kl_neg'].item())
    cos12 = (1 - 0.01) / 1.01
    expected = (2 * R / 3 - (R + 1) / 2) + (cos12 / 3 - (R + 1) / 2)
    assert terms['order'].item() == pytest.approx(expected)
    # Teacher without positives: no positive KL at all, no NaN.
    terms = loss.loss_terms(neg, pos_a, [-pos_a[0], pos_b[1]])
    assert terms['kl_pos'].item() == 0.0
    assert torch.isfinite(terms['order'])


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match='sigma'):
        DistributionDistillationLoss(sigma=0.0)
    with pytest.raises(ValueError, match='num_bins'):
        DistributionDistillationLoss(num_bins=0)
