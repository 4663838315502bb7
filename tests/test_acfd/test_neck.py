# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import pytest
import torch

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
