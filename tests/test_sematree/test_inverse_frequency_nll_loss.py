# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Per-batch inverse-frequency NLL against a hand computation."""
import math

import pytest
import torch

from projects.sematree import (InverseFrequencyNLLLoss,
                               inverse_frequency_weights)


def test_weights_hand_computed():
    target = torch.tensor([[0, 0, 0, 1], [1, 255, 255, 0]])
    # n = (4, 2, 0), sum 6 -> w = (1 - 4/6, 1 - 2/6, 0)
    weight = inverse_frequency_weights(target, 3)
    torch.testing.assert_close(weight, torch.tensor([1 / 3, 2 / 3, 0.0]))


def test_loss_hand_computed_with_gradient():
    probs = torch.tensor([[0.5, 0.2, 0.9], [0.5, 0.8, 0.1]])  # (C=2, 3)
    log_probs = probs.log().reshape(1, 2, 1, 3).requires_grad_()
    target = torch.tensor([[[0, 1, 255]]])
    # n = (1, 1): w = (0.5, 0.5); L = (0.5 * -log .5 + 0.5 * -log .8) / 1
    expected = 2.0 * (0.5 * -math.log(0.5) + 0.5 * -math.log(0.8))
    loss = InverseFrequencyNLLLoss(loss_weight=2.0)(log_probs, target)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    loss.backward()
    grad = log_probs.grad.reshape(2, 3)
    torch.testing.assert_close(
        grad, torch.tensor([[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]))


def test_frequent_class_counts_less():
    log_probs = torch.log(torch.tensor([0.5, 0.5])).reshape(1, 2, 1, 1)
    log_probs = log_probs.expand(1, 2, 1, 4).contiguous()
    hard = torch.log(torch.tensor([[0.9, 0.9, 0.9, 0.1],
                                   [0.1, 0.1, 0.1, 0.9]])).reshape(1, 2, 1, 4)
    target = torch.tensor([[[0, 0, 0, 1]]])
    # w = (1/4, 3/4): the single class-1 pixel weighs as much as the three.
    loss = InverseFrequencyNLLLoss()(hard, target)
    expected = (3 * 0.25 * -math.log(0.9) + 0.75 * -math.log(0.9)) / 1.5
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_single_class_and_all_ignored_give_zero_with_graph():
    log_probs = torch.zeros(1, 2, 2, 2, requires_grad=True)
    for target in (torch.zeros(1, 2, 2, dtype=torch.long),
                   torch.full((1, 2, 2), 255, dtype=torch.long)):
        loss = InverseFrequencyNLLLoss()(log_probs, target)
        assert loss.item() == 0.0
        loss.backward()


def test_shape_mismatch_is_named():
    with pytest.raises(ValueError, match='loss_router: log_probs'):
        InverseFrequencyNLLLoss(loss_name='loss_router')(
            torch.zeros(1, 2, 3, 3), torch.zeros(1, 4, 4, dtype=torch.long))
