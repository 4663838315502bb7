# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Layer- and filter-level grafting, ring order, BN/FC options, errors."""
import pytest
import torch

from projects.dgd import grafting_coefficient, ring_graft, weight_entropy
from projects.dgd.state_dict_grafting import graft_state_dict, unpaired_convs


def _net(seed: int, scale: float = 1.0) -> dict:
    g = torch.Generator().manual_seed(seed)
    return {
        'conv.weight': torch.randn(2, 1, 3, 3, generator=g) * scale,
        'bn.weight': torch.rand(2, generator=g) + 0.1,
        'bn.bias': torch.randn(2, generator=g),
        'bn.running_mean': torch.randn(2, generator=g),
        'bn.running_var': torch.rand(2, generator=g) + 0.5,
        'bn.num_batches_tracked': torch.tensor(seed),
        'fc.weight': torch.randn(3, 2, generator=g),
        'fc.bias': torch.randn(3, generator=g),
    }


def _alpha(own: dict, other: dict, key: str) -> float:
    return grafting_coefficient(weight_entropy(own[key]),
                                weight_entropy(other[key]))


def test_layer_level_mixes_with_the_conv_alpha():
    own, other = _net(0), _net(1)
    out, alphas = graft_state_dict(own, other, level='layer')
    alpha = _alpha(own, other, 'conv.weight')
    assert alphas['conv'] == alpha and alphas['bn'] == alphas['fc'] == alpha
    for key in ('conv.weight', 'bn.weight', 'bn.running_var', 'fc.bias'):
        torch.testing.assert_close(out[key],
                                   alpha * own[key] + (1 - alpha) * other[key])
    assert out['bn.num_batches_tracked'].item() == 0  # counters not mixed
    assert own['conv.weight'].data_ptr() != out['conv.weight'].data_ptr()


def test_bn_fc_mode_own_uses_each_layers_entropy():
    own, other = _net(0), _net(1)
    out, alphas = graft_state_dict(own, other, bn_fc_mode='own')
    assert alphas['bn'] == _alpha(own, other, 'bn.weight')
    assert alphas['fc'] == _alpha(own, other, 'fc.weight')
    a = alphas['fc']
    torch.testing.assert_close(out['fc.bias'],
                               a * own['fc.bias'] + (1 - a) * other['fc.bias'])


def test_filter_level_mixes_channel_by_channel():
    own, other = _net(0), _net(1)
    own['bn.weight'] = torch.tensor([3.0, -1.0])
    other['bn.weight'] = torch.tensor([1.0, 0.0])
    out, alphas = graft_state_dict(own, other, level='filter')
    w = torch.tensor([0.75, 1.0])  # |3|/(|3|+|1|), |-1|/(|-1|+0)
    torch.testing.assert_close(
        out['conv.weight'],
        w.view(2, 1, 1, 1) * own['conv.weight'] +
        (1 - w.view(2, 1, 1, 1)) * other['conv.weight'])
    for key in ('bn.weight', 'bn.bias', 'bn.running_mean'):
        torch.testing.assert_close(out[key],
                                   w * own[key] + (1 - w) * other[key])
    assert alphas['conv'] == pytest.approx(0.875)
    # the FC layer (no BN after it) falls back to the last conv's alpha
    alpha = _alpha(own, other, 'conv.weight')
    torch.testing.assert_close(
        out['fc.weight'],
        alpha * own['fc.weight'] + (1 - alpha) * other['fc.weight'])


def _chain(seed: int) -> dict:
    """conv1 (2 filters) -> bn1 -> conv2 (3 filters, 2 inputs) -> bn2."""
    g = torch.Generator().manual_seed(seed)
    net = {}
    for name, out, inp in (('1', 2, 1), ('2', 3, 2)):
        net[f'conv{name}.weight'] = torch.randn(out, inp, 3, 3, generator=g)
        net[f'bn{name}.weight'] = torch.rand(out, generator=g) + 0.1
        net[f'bn{name}.bias'] = torch.randn(out, generator=g)
        net[f'bn{name}.running_mean'] = torch.randn(out, generator=g)
        net[f'bn{name}.running_var'] = torch.rand(out, generator=g) + 0.5
    return net


def test_filter_level_mixes_the_next_convs_inputs_as_the_official_code():
    own, other = _chain(0), _chain(1)
    w1 = own['bn1.weight'] / (own['bn1.weight'] + other['bn1.weight'])
    w2 = own['bn2.weight'] / (own['bn2.weight'] + other['bn2.weight'])
    out, _ = graft_state_dict(own, other, level='filter')
    a, b = own['conv2.weight'], other['conv2.weight']
    # official order: input channel j with bn1's w_j, then filter o with
    # bn2's w_o, element by element
    expected = torch.empty_like(a)
    for o in range(3):
        for j in range(2):
            mixed = w1[j] * a[o, j] + (1 - w1[j]) * b[o, j]
            expected[o, j] = w2[o] * mixed + (1 - w2[o]) * b[o, j]
    torch.testing.assert_close(out['conv2.weight'], expected)
    # conv1 has no BN before it: its filters only
    torch.testing.assert_close(
        out['conv1.weight'],
        w1.view(2, 1, 1, 1) * own['conv1.weight'] +
        (1 - w1.view(2, 1, 1, 1)) * other['conv1.weight'])
    plain, _ = graft_state_dict(own, other, level='filter', mix_inputs=False)
    torch.testing.assert_close(
        plain['conv2.weight'],
        w2.view(3, 1, 1, 1) * a + (1 - w2.view(3, 1, 1, 1)) * b)


def test_bn_fc_mode_keep_leaves_the_fc_alone():
    own, other = _net(0), _net(1)
    out, alphas = graft_state_dict(own, other, level='filter',
                                   bn_fc_mode='keep')
    torch.testing.assert_close(out['fc.weight'], own['fc.weight'])
    torch.testing.assert_close(out['fc.bias'], own['fc.bias'])
    assert alphas['fc'] == 1.0
    assert unpaired_convs(own) == []
    del own['bn.weight']  # the conv is no longer followed by a BN
    assert unpaired_convs(own) == ['conv']


def test_filter_level_zero_gammas_mix_half_half():
    own, other = _net(0), _net(1)
    own['bn.weight'] = torch.zeros(2)
    other['bn.weight'] = torch.zeros(2)
    out, _ = graft_state_dict(own, other, level='filter')
    torch.testing.assert_close(out['bn.bias'],
                               0.5 * own['bn.bias'] + 0.5 * other['bn.bias'])


def test_ring_order_with_three_networks():
    nets = [_net(0, 1.0), _net(1, 2.0), _net(2, 0.5)]
    out, alphas = ring_graft(nets)
    for i, prev in ((0, 2), (1, 0), (2, 1)):  # i grafts from i - 1
        a = _alpha(nets[i], nets[prev], 'conv.weight')
        assert alphas[i]['conv'] == a
        torch.testing.assert_close(
            out[i]['conv.weight'],
            a * nets[i]['conv.weight'] + (1 - a) * nets[prev]['conv.weight'])


def test_bad_inputs_name_the_problem():
    own, other = _net(0), _net(1)
    with pytest.raises(ValueError, match='level'):
        graft_state_dict(own, other, level='block')
    with pytest.raises(ValueError, match='bn_fc_mode'):
        graft_state_dict(own, other, bn_fc_mode='skip')
    del other['fc.bias']
    with pytest.raises(ValueError, match='fc.bias'):
        graft_state_dict(own, other)
    other = _net(1)
    other['fc.weight'] = torch.zeros(4, 2)
    with pytest.raises(ValueError, match="'fc.weight'"):
        graft_state_dict(own, other)
    with pytest.raises(ValueError, match='at least 2'):
        ring_graft([own])
