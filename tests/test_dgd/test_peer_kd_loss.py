# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The soft-target distillation loss against hand computations."""
import math

import pytest
import torch

from projects.dgd import PeerKDLoss, soft_target_kd_loss

STUDENT = [[2 * math.log(3), 0.0]]  # /T=2 -> softmax (3/4, 1/4)


def test_softened_teacher_by_hand():
    s = torch.tensor(STUDENT)
    t = torch.tensor([[0.0, 2 * math.log(1 / 3)]])  # /2 -> (3/4, 1/4)
    expected = 4 * -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert soft_target_kd_loss(s, t, 2.0).item() == pytest.approx(expected)


def test_official_unsoftened_teacher_by_hand():
    s = torch.tensor(STUDENT)
    t = torch.tensor([[math.log(9), 0.0]])  # softmax at T=1 -> (0.9, 0.1)
    expected = 4 * -(0.9 * math.log(0.75) + 0.1 * math.log(0.25))
    loss = soft_target_kd_loss(s, t, 2.0, soften_teacher=False)
    assert loss.item() == pytest.approx(expected)


def test_gradient_is_t_times_q_minus_p_and_teacher_detached():
    s = torch.tensor(STUDENT + [[0.0, 0.0]], requires_grad=True)
    t = torch.tensor([[math.log(9), 0.0], [0.0, 0.0]], requires_grad=True)
    PeerKDLoss(temperature=2.0, loss_weight=3.0)(s, t).backward()
    q = torch.tensor([[0.75, 0.25], [0.5, 0.5]])
    p = torch.softmax(t.detach() / 2, dim=1)
    torch.testing.assert_close(s.grad, 3.0 * 2.0 * (q - p) / 2)
    assert t.grad is None


def test_empty_and_bad_inputs():
    empty = torch.zeros(0, 5, requires_grad=True)
    loss = soft_target_kd_loss(empty, torch.zeros(0, 5))
    assert loss.item() == 0.0
    loss.backward()
    with pytest.raises(ValueError, match=r'\(B, K\)'):
        soft_target_kd_loss(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(ValueError, match='temperature'):
        PeerKDLoss(temperature=0.0)
