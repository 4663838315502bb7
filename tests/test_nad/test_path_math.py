# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The NAD loss and the normalised-gradient update against hand
computations."""
import math

import pytest
import torch

from projects.nad import NADPathLoss, nad_path_loss, normalized_gradient_step


def _sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v))


def test_loss_matches_hand_computation():
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    labels = torch.tensor([0, 0])
    # two gates; the original classifies only image 1 correctly
    orig = [torch.zeros(2, 2, 1, 1), torch.ones(2, 1, 2, 1)]
    gated = [
        torch.tensor([[[[9.0]], [[9.0]]], [[[1.0]], [[3.0]]]]),
        torch.tensor([[[[7.0], [7.0]]], [[[0.0], [3.0]]]])
    ]
    correct = torch.tensor([1])
    masks = [
        torch.tensor([0.0, 1.0]).view(1, 2, 1, 1),
        torch.tensor([-1.0]).view(1, 1, 1, 1)
    ]
    out = nad_path_loss(logits, labels, gated, orig, correct, masks, 0.5)
    # CE over the whole batch (both images), even the misclassified one
    ce = (-math.log(math.exp(2) /
                    (math.exp(2) + 2)) - math.log(1 / (2 + math.e))) / 2
    # MSE over image 1 only: layer 0 (1 + 9) / 2, layer 1 (1 + 4) / 2
    mse = (1 + 9) / 2 + (1 + 4) / 2
    activ = (ce + mse) / 2
    mask = ((_sigmoid(0)**2 + _sigmoid(1)**2) / 2 + _sigmoid(-1)**2) / 2
    assert out['loss_activ'].item() == pytest.approx(activ, rel=1e-6)
    assert out['loss_mask'].item() == pytest.approx(mask, rel=1e-6)
    assert out['loss'].item() == pytest.approx(activ + 0.5 * mask, rel=1e-6)
    module_out = NADPathLoss(beta=0.5)(logits, labels, gated, orig, correct,
                                       masks)
    assert torch.equal(module_out['loss'], out['loss'])


def test_loss_gradient_on_mask():
    # d/dm of beta * mean(sigmoid(m)^2) / L, one gate, L = 1:
    # beta * 2 s^2 (1 - s) / C
    m = torch.tensor([0.3, -0.7]).view(1, 2, 1, 1).requires_grad_()
    x = torch.ones(1, 2, 1, 1)
    gated = [torch.sigmoid(m) * x]
    out = nad_path_loss(torch.tensor([[5.0, 0.0]]), torch.tensor([0]), gated,
                        [x.clone()], torch.tensor([0]), [m], 2.0)
    out['loss'].backward()
    expected = []
    for v in (0.3, -0.7):
        s = _sigmoid(v)
        # activation: d/dm MSE((s - 1)^2 averaged over 2) = (s - 1) s (1 - s)
        expected.append((s - 1) * s * (1 - s) + 2.0 * 2 * s * s * (1 - s) / 2)
    assert m.grad.flatten().tolist() == pytest.approx(expected,
                                                      rel=1e-5,
                                                      abs=1e-7)


def test_loss_bad_inputs():
    x = [torch.zeros(1, 1, 1, 1)]
    with pytest.raises(ValueError, match='no correctly classified'):
        nad_path_loss(torch.zeros(1, 2), torch.tensor([0]), x, x,
                      torch.zeros(0, dtype=torch.long), x, 1.0)
    with pytest.raises(ValueError, match='2 original'):
        nad_path_loss(torch.zeros(1, 2), torch.tensor([0]), x, x + x,
                      torch.tensor([0]), x, 1.0)
    with pytest.raises(ValueError, match='beta'):
        NADPathLoss(beta=-1)


def test_normalized_gradient_step_by_hand():
    a = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0]).view(1, 3, 1, 1))
    b = torch.nn.Parameter(torch.tensor([0.5, 0.5]).view(1, 2, 1, 1))
    a.grad = torch.tensor([3.0, 0.0, 4.0]).view(1, 3, 1, 1)  # norm 5
    b.grad = torch.tensor([0.0, -1e-3]).view(1, 2, 1, 1)  # norm 1e-3
    normalized_gradient_step([a, b], lr=0.1)
    # each gate moves by exactly lr along its gradient direction
    assert a.flatten().tolist() == pytest.approx([0.94, 2.0, 2.92])
    assert b.flatten().tolist() == pytest.approx([0.5, 0.6])
    assert a.grad is None and b.grad is None
    c = torch.nn.Parameter(torch.zeros(1, 2, 1, 1))
    with pytest.raises(RuntimeError, match='gate layer9 has no gradient'):
        normalized_gradient_step([c], 0.1, names=['layer9'])
