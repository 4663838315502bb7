# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F

from projects.acfd import ABiFPN
from projects.acfd.abifpn import WeightedFusion


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
