# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F

from projects.acfd import ABiFPN
from projects.acfd.abifpn import (AsymmetricSeparableConv, WeightedFusion,
                                  _WeightedSum)


def _feats(sizes=(16, 8, 4), channels=(8, 16, 32)):
    return [torch.rand(2, c, s, s + 1) for c, s in zip(channels, sizes)]


@pytest.mark.parametrize('num_outs,repeats,asym', [(3, 1, True), (5, 2, True),
                                                   (4, 1, False)])
def test_abifpn_shapes(num_outs, repeats, asym):
    neck = ABiFPN([8, 16, 32], 12, num_outs=num_outs, num_repeats=repeats,
                  asymmetric=asym)
    outs = neck(_feats())
    assert len(outs) == num_outs
    assert all(o.shape[:2] == (2, 12) for o in outs)
    assert [o.shape[2] for o in outs][:3] == [16, 8, 4]


def test_fusion_weights_stay_normalised():
    fusion = WeightedFusion(3)
    fusion.weight.data = torch.tensor([2.0, -1.0, 1.0])
    w = fusion.normalized_weights()
    assert (w >= 0).all()
    assert w[1] == 0
    torch.testing.assert_close(w.sum(), torch.tensor(3.0 / (3.0 + 1e-4)))
    a, b, c = (torch.full((1, 1, 2, 2), v) for v in (1.0, 5.0, 4.0))
    expected = (2 * 1.0 + 1 * 4.0) / (3 + 1e-4)
    torch.testing.assert_close(fusion([a, b, c]),
                               torch.full((1, 1, 2, 2), expected))


def test_fusion_weights_train():
    # A loss that asks for the top level's features only: every fusion
    # node's weights must move (they receive gradients and SGD updates
    # them) and stay on the simplex-like set relu(w) / (sum + eps).
    torch.manual_seed(0)
    neck = ABiFPN([8, 16, 32], 8, num_outs=3)
    fusions = [m for m in neck.modules() if isinstance(m, WeightedFusion)]
    assert len(fusions) >= 4
    before = [f.normalized_weights().detach().clone() for f in fusions]
    opt = torch.optim.SGD(neck.parameters(), lr=0.5)
    feats = _feats()
    for _ in range(3):
        opt.zero_grad()
        outs = neck(feats)
        sum((o - 1).pow(2).mean() for o in outs).backward()
        assert all(f.weight.grad.abs().sum() > 0 for f in fusions)
        opt.step()
    for fusion, old in zip(fusions, before):
        new = fusion.normalized_weights().detach()
        assert (new - old).abs().max() > 1e-3
        assert (new >= 0).all() and float(new.sum()) < 1.0


def test_abifpn_bad_inputs():
    with pytest.raises(ValueError, match='num_outs'):
        ABiFPN([8, 16, 32], 8, num_outs=2)
    neck = ABiFPN([8, 16, 32], 8, num_outs=3)
    with pytest.raises(ValueError, match='expects 3 input levels, got 2'):
        neck(_feats()[:2])


def _two_branch_conv(conv, x):
    """The fusion conv as first written: two depthwise branches summed."""
    if conv.asymmetric:
        return conv.pw(conv.dw_ver(x) + conv.dw_hor(x))
    return conv.pw(conv.dw(x))


def _reference_forward(neck, inputs):
    """ABiFPN's forward before the speed-up (#20): contiguous NCHW tensors,
    two depthwise branches per fusion conv, one product per fusion input."""

    def fuse(fusion, conv, xs):
        w = fusion.normalized_weights()
        return _two_branch_conv(conv, sum(w[i] * x for i, x in enumerate(xs)))

    feats = [lat(x) for lat, x in zip(neck.laterals, inputs)]
    for conv in neck.extra_convs:
        feats.append(conv(feats[-1]))
    for layer in neck.layers:
        num = len(feats)
        td = feats[:]
        for i in range(num - 2, -1, -1):
            up = F.interpolate(td[i + 1], size=feats[i].shape[2:])
            td[i] = fuse(layer.td_fusions[i], layer.td_convs[i],
                         [feats[i], up])
        outs = [td[0]]
        for i in range(1, num):
            down = F.max_pool2d(outs[-1], 3, 2, 1)
            if down.shape[2:] != feats[i].shape[2:]:
                down = F.interpolate(down, size=feats[i].shape[2:])
            xs = [feats[i], td[i], down] if i < num - 1 else [feats[i], down]
            outs.append(fuse(layer.bu_fusions[i - 1], layer.bu_convs[i - 1],
                             xs))
        feats = outs
    return feats


def _assert_close_to_scale(new, old, tol):
    # float32 sums in another order: differences relative to the tensor's
    # largest magnitude (gradients summed over many elements cancel)
    assert new.shape == old.shape
    assert float((new - old).abs().max()) <= tol * (float(old.abs().max()) +
                                                    1e-3)


@pytest.mark.parametrize('asym,channels_last,dtype,tol', [
    (True, True, torch.float32, 1e-4), (False, True, torch.float32, 1e-4),
    (True, False, torch.float32, 1e-4), (True, True, torch.float64, 1e-10)])
def test_abifpn_equals_reference(asym, channels_last, dtype, tol):
    # the single merged depthwise kernel and the channels-last pyramid give
    # the outputs and the gradients (inputs and every parameter) of the
    # straightforward form, on random inputs and random fusion weights
    torch.manual_seed(0)
    neck = ABiFPN([8, 16, 32], 12, num_outs=5, num_repeats=2,
                  asymmetric=asym, channels_last=channels_last).to(dtype)
    for fusion in neck.modules():
        if isinstance(fusion, WeightedFusion):
            fusion.weight.data.uniform_(-0.5, 2.0)
    inputs = [f.to(dtype) for f in _feats(sizes=(13, 7, 4))]
    grads = []
    outs = []
    for forward in (neck, lambda x: _reference_forward(neck, x)):
        feats = [f.clone().requires_grad_() for f in inputs]
        neck.zero_grad()
        out = forward(feats)
        sum((o * torch.linspace(-1, 1, o.numel(), dtype=dtype).view_as(o))
            .sum() for o in out).backward()
        outs.append([o.detach() for o in out])
        grads.append([f.grad for f in feats] +
                     [p.grad.clone() for p in neck.parameters()])
    assert all(o.is_contiguous(memory_format=torch.channels_last)
               == channels_last for o in outs[0][:3])
    assert len(outs[0]) == len(outs[1]) == 5
    assert len(grads[0]) == len(grads[1]) > 20
    for new, old in zip(outs[0] + grads[0], outs[1] + grads[1]):
        _assert_close_to_scale(new, old, tol)


def _fusion_inputs(num, channels_last, dtype=torch.float64):
    torch.manual_seed(num)
    xs = [torch.randn(2, 3, 5, 4, dtype=dtype) for _ in range(num)]
    if channels_last:
        xs = [x.contiguous(memory_format=torch.channels_last) for x in xs]
    return [x.requires_grad_() for x in xs]


@pytest.mark.parametrize('num,channels_last', [(1, True), (2, False),
                                                 (3, True)])
def test_weighted_sum_gradcheck(num, channels_last):
    # the hand-written backward against finite differences, for the weights
    # and every input
    xs = _fusion_inputs(num, channels_last)
    weights = torch.rand(num, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(_WeightedSum.apply, (weights, *xs))


def test_weighted_sum_matches_autograd():
    # mixed memory formats (the dot-product shortcut does not apply to the
    # second input) and an input without gradient: value and gradients
    # equal the plain sum of products under autograd
    xs = _fusion_inputs(3, channels_last=False, dtype=torch.float32)
    xs[1] = xs[1].contiguous(memory_format=torch.channels_last)
    xs[2] = xs[2].detach()
    weights = torch.tensor([0.2, 0.5, 0.3], requires_grad=True)
    out = _WeightedSum.apply(weights, *xs)
    ref = sum(w * x for w, x in zip(weights, xs))
    grad = torch.randn_like(ref)
    got = torch.autograd.grad(out, [weights, xs[0], xs[1]], grad)
    want = torch.autograd.grad(ref, [weights, xs[0], xs[1]], grad)
    torch.testing.assert_close(out, ref)
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w)


@pytest.mark.parametrize('norm_cfg,act_cfg', [(dict(type='BN'), dict(
    type='ReLU')), (None, None)])
def test_pointwise_matrix_product_equals_conv(norm_cfg, act_cfg):
    # channels-last inputs take the matrix product, others the ConvModule:
    # same outputs, same gradients, same running statistics
    torch.manual_seed(0)
    conv = AsymmetricSeparableConv(6, norm_cfg=norm_cfg, act_cfg=act_cfg)
    x = torch.randn(2, 6, 5, 3)
    results = []
    for inp in (x, x.contiguous(memory_format=torch.channels_last)):
        conv.zero_grad()
        out = conv._pointwise(inp.clone().requires_grad_())
        out.pow(2).sum().backward()
        stats = [b.clone() for b in conv.buffers()]
        results.append([out.contiguous()] + stats +
                       [p.grad.clone() for p in conv.pw.parameters()])
        if conv.pw.with_norm:
            conv.pw.norm.reset_running_stats()
    assert len(results[0]) == len(results[1]) >= 2
    for new, old in zip(results[1], results[0]):
        torch.testing.assert_close(new, old)


def test_abifpn_under_autocast_matches_reference():
    # mixed precision (bfloat16 autocast on the CPU, as --amp does on GPUs):
    # the hand-written fusion sum and the pointwise GEMM keep the
    # reference's dtypes (bfloat16 outputs, float32 parameter gradients),
    # and the neck's outputs and gradients are as close to the float32 ones
    # as the reference's are under the same autocast
    torch.manual_seed(0)
    neck = ABiFPN([8, 16, 32], 12, num_outs=4)
    inputs = _feats(sizes=(13, 7, 4))

    def run(forward, autocast):
        neck.zero_grad()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=autocast):
            out = forward(inputs)
        sum(o.float().pow(2).mean() for o in out).backward()
        assert all(o.dtype == (torch.bfloat16 if autocast else torch.float32)
                   for o in out)
        return [o.float() for o in out] + [
            p.grad.clone() for p in neck.parameters()]

    exact = run(neck, False)
    new = run(neck, True)
    ref = run(lambda x: _reference_forward(neck, x), True)
    assert all(g.dtype == torch.float32 for g in new[4:])
    assert len(new) == len(ref) == len(exact) > 20
    # the outputs within twice the reference's bfloat16 error; single
    # gradients of small parameters are off by up to 100 % in both, so the
    # gradient is compared as one vector (its direction)
    for n, r, e in zip(new[:4], ref[:4], exact[:4]):
        scale = float(e.abs().max())
        assert float((n - e).abs().max()) <= 2 * float(
            (r - e).abs().max()) + 1e-2 * scale

    def cosine(grads):
        return float(F.cosine_similarity(
            torch.cat([g.flatten() for g in grads]),
            torch.cat([g.flatten() for g in exact[4:]]), 0))

    assert cosine(new[4:]) >= min(cosine(ref[4:]), 0.99) - 0.01


def test_fusion_bad_inputs():
    # a wrong number of inputs or mismatched shapes: the error names both
    fusion = WeightedFusion(2)
    a = torch.rand(1, 2, 4, 4)
    with pytest.raises(ValueError, match=r'fuses 2 inputs.*\(1, 2, 4, 4\)'):
        fusion([a])
    with pytest.raises(ValueError, match=r'\(1, 2, 2, 2\)'):
        fusion([a, torch.rand(1, 2, 2, 2)])
    assert fusion([a, a]).shape == a.shape
