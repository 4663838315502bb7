# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""weight_entropy and grafting_coefficient against hand computations."""
import math

import pytest
import torch

from projects.dgd import grafting_coefficient, weight_entropy


def test_entropy_four_values_max_falls_out_of_the_bins():
    # min 0, max 3, width 0.3: 0, 1, 2 fall in bins 0, 3, 6; 3 == max is in
    # no bin (half-open bins, as the official code), so p = 1/4 three times.
    h = weight_entropy(torch.tensor([0., 1., 2., 3.]))
    assert h == pytest.approx(-3 * 0.25 * math.log(0.25), abs=1e-12)


def test_entropy_two_bins_by_hand():
    # bins=2 over [0, 4): [0, 2) holds 0, 1, 1; [2, 4) holds 3; 4 is out.
    values = torch.tensor([0., 1., 1., 3., 4.]).reshape(5, 1, 1, 1)
    expected = -(0.6 * math.log(0.6) + 0.2 * math.log(0.2))
    assert weight_entropy(values, bins=2) == pytest.approx(expected)


def test_entropy_constant_is_zero_and_spread_is_larger():
    assert weight_entropy(torch.full((3, 3), 0.7)) == 0.0
    wide = weight_entropy(torch.linspace(-1, 1, 1001))
    assert wide == pytest.approx(math.log(10), abs=1e-2)
    assert wide > weight_entropy(torch.tensor([0., 0., 0., 1.]))


@pytest.mark.parametrize('bad, error', [
    (torch.empty(0), ValueError),
    (torch.tensor([1.0, float('nan')]), ValueError),
    ([1.0, 2.0], TypeError),
])
def test_entropy_bad_inputs(bad, error):
    with pytest.raises(error):
        weight_entropy(bad)
    with pytest.raises(ValueError, match='bins'):
        weight_entropy(torch.ones(3), bins=0)


def test_coefficient_by_hand():
    # 0.4 / pi * atan(500 * 0.001) + 0.5 = 0.5590... -> 0.56
    assert grafting_coefficient(1.0, 0.999) == 0.56
    assert grafting_coefficient(1.0, 1.0) == 0.5
    # saturates at 0.5 +- A/2
    assert grafting_coefficient(2.0, 0.0) == 0.7
    assert grafting_coefficient(0.0, 2.0) == 0.3
    # a=1, c=1, dH=1: 1/pi * pi/4 + 0.5 = 0.75
    assert grafting_coefficient(1.0, 0.0, a=1.0, c=1.0) == 0.75


def test_coefficients_of_a_pair_sum_to_one():
    for dh in (0.0003, 0.002, 0.01, 0.3):
        assert grafting_coefficient(dh, 0.0) + grafting_coefficient(
            0.0, dh) == pytest.approx(1.0)


def test_coefficient_bad_inputs():
    with pytest.raises(ValueError, match='h_self'):
        grafting_coefficient(float('nan'), 1.0)
    with pytest.raises(ValueError, match='c must'):
        grafting_coefficient(1.0, 1.0, c=float('inf'))
