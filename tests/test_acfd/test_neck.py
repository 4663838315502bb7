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


def test_fusion_weights_after_training_steps():
    neck = ABiFPN([8, 16, 32], 8, num_outs=3)
    opt = torch.optim.SGD(neck.parameters(), lr=1.0)
    for _ in range(3):
        opt.zero_grad()
        sum(o.mean() for o in neck(_feats())).backward()
        opt.step()
    for module in neck.modules():
        if isinstance(module, WeightedFusion):
            w = module.normalized_weights()
            assert (w >= 0).all() and float(w.sum()) <= 1.0


def test_abifpn_bad_inputs():
    with pytest.raises(ValueError, match='num_outs'):
        ABiFPN([8, 16, 32], 8, num_outs=2)
    neck = ABiFPN([8, 16, 32], 8, num_outs=3)
    with pytest.raises(ValueError, match='expects 3 input levels, got 2'):
        neck(_feats()[:2])
