# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The compiled CPU kernels of ABi-FPN's fusion nodes against the PyTorch
path they replace (issue #20)."""
import copy

import pytest
import torch
import torch.nn as nn

from projects.acfd import ABiFPN
from projects.acfd.abifpn import (AsymmetricSeparableConv, WeightedFusion,
                                  cpu_kernels_available)

def test_cpu_kernels_are_built():
    # an environment made by tools/setup_env.sh (the CI's) has compiled
    # them; without them this test names the cause and the tests below fail
    assert cpu_kernels_available(), (
        'projects/acfd/_abifpn_ops is missing: run pip install -e . with a '
        'C++ compiler')


def _node(channels, asymmetric, num_inputs, dtype, seed=0):
    torch.manual_seed(seed)
    conv = AsymmetricSeparableConv(channels, asymmetric=asymmetric).to(dtype)
    fusion = WeightedFusion(num_inputs).to(dtype)
    with torch.no_grad():
        # one weight below zero: its ReLU gradient is zero
        fusion.weight.copy_(torch.tensor([0.7, -0.2, 1.3][:num_inputs]))
        conv.pw.norm.weight.uniform_(0.5, 1.5)
        conv.pw.norm.bias.uniform_(-0.5, 0.5)
        for kernel in conv.depthwise_branches():
            kernel.normal_()
    return conv, fusion


def _maps(num, channels, size, dtype):
    return [
        torch.randn(2, channels, *size, dtype=dtype).contiguous(
            memory_format=torch.channels_last).requires_grad_()
        for _ in range(num)
    ]


def _run(conv, fusion, xs, cpu_kernels):
    conv.cpu_kernels = cpu_kernels
    conv.zero_grad(set_to_none=True)
    fusion.zero_grad(set_to_none=True)
    for x in xs:
        x.grad = None
    out = conv.forward_fused(fusion, xs)
    # a linear loss with distinct weights per element
    (out * torch.linspace(-1, 2, out.numel(), dtype=out.dtype).view_as(out)
     ).sum().backward()
    params = [fusion.weight] + list(conv.parameters())
    return [out] + [x.grad for x in xs] + [p.grad for p in params] + list(
        conv.buffers())


@pytest.mark.parametrize('asymmetric,num_inputs,size,dtype,tol', [
    (True, 2, (5, 7), torch.float64, 1e-10),
    (True, 3, (1, 1), torch.float64, 1e-10),
    (False, 3, (6, 3), torch.float64, 1e-10),
    (True, 3, (9, 8), torch.float32, 1e-5),
])
def test_fusion_node_equals_pytorch_path(asymmetric, num_inputs, size, dtype,
                                         tol):
    # the output, the gradients of the inputs and of every parameter (fusion
    # weights, both depthwise branches, pointwise conv, batch norm) and the
    # running statistics equal the PyTorch path's
    conv, fusion = _node(6, asymmetric, num_inputs, dtype)
    xs = _maps(num_inputs, 6, size, dtype)
    ref_conv, ref_fusion = copy.deepcopy(conv), copy.deepcopy(fusion)
    got = _run(conv, fusion, xs, True)
    want = _run(ref_conv, ref_fusion, xs, False)
    assert len(got) == len(want) == 1 + num_inputs + 1 + len(
        list(conv.parameters())) + 3
    assert got[0].is_contiguous(memory_format=torch.channels_last)
    assert fusion.weight.grad[1] == 0
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        scale = float(w.abs().max()) + 1e-3
        assert float((g - w).abs().max()) <= tol * scale


def test_fusion_node_gradcheck():
    # the hand-written backwards against finite differences (float64)
    from projects.acfd import _abifpn_ops
    conv, fusion = _node(3, True, 3, torch.float64)
    xs = _maps(3, 3, (4, 5), torch.float64)
    branches = [k.detach().clone().requires_grad_()
                for k in conv.depthwise_branches()]
    weight = torch.tensor([0.7, 0.4, 1.3], dtype=torch.float64,
                          requires_grad=True)

    def fusion_depthwise(w, ver, hor, *maps):
        return _abifpn_ops.fusion_depthwise(w, 1e-4, 3, [ver, hor],
                                            list(maps))

    assert torch.autograd.gradcheck(fusion_depthwise,
                                    (weight, *branches, *xs))
    norm = conv.pw.norm
    stats = [norm.running_mean.clone(), norm.running_var.clone()]
    pw_params = [p.detach().clone().requires_grad_()
                 for p in (conv.pw.conv.weight, norm.weight, norm.bias)]

    def pointwise_bn_relu(x, w, gamma, beta):
        return _abifpn_ops.pointwise_bn_relu(x, w, gamma, beta, *stats, 0.1,
                                             1e-5)

    assert torch.autograd.gradcheck(pointwise_bn_relu, (xs[0], *pw_params))


def test_batch_norm_bookkeeping_matches():
    # momentum=None (a cumulative average) and several steps: running
    # statistics and the batch count follow nn.BatchNorm2d's
    conv, fusion = _node(4, True, 2, torch.float32)
    conv.pw.norm.momentum = None
    ref_conv, ref_fusion = copy.deepcopy(conv), copy.deepcopy(fusion)
    for seed in range(3):
        torch.manual_seed(seed)
        xs = _maps(2, 4, (3, 5), torch.float32)
        _run(conv, fusion, xs, True)
        _run(ref_conv, ref_fusion, xs, False)
    for got, want in zip(conv.buffers(), ref_conv.buffers()):
        torch.testing.assert_close(got, want)
    assert int(conv.pw.norm.num_batches_tracked) == 3


def test_kernels_used_only_where_they_compute_the_same(monkeypatch):
    # the default training node takes both kernels; eval-mode batch norm,
    # another norm or activation, NCHW maps, autocast and cpu_kernels=False
    # take the PyTorch path where the kernels would compute something else
    from projects.acfd import abifpn
    counted = dict(fusion_depthwise=0, pointwise_bn_relu=0)
    ops = abifpn._abifpn_ops

    class _CountingOps:

        def __getattr__(self, name):

            def counting(*args):
                counted[name] += 1
                return getattr(ops, name)(*args)

            return counting

    monkeypatch.setattr(abifpn, '_abifpn_ops', _CountingOps())

    def count(conv, fusion, xs):
        for name in counted:
            counted[name] = 0
        conv.forward_fused(fusion, xs)
        return counted['fusion_depthwise'], counted['pointwise_bn_relu']

    conv, fusion = _node(4, True, 2, torch.float32)
    xs = _maps(2, 4, (3, 3), torch.float32)
    assert count(conv, fusion, xs) == (1, 1)
    conv.eval()
    assert count(conv, fusion, xs) == (1, 0)
    conv.train()
    assert count(conv, fusion, [x.contiguous() for x in xs]) == (0, 0)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert count(conv, fusion, xs) == (0, 0)
    conv.cpu_kernels = False
    assert count(conv, fusion, xs) == (0, 0)
    gn = AsymmetricSeparableConv(4, norm_cfg=dict(type='GN', num_groups=2))
    gelu = AsymmetricSeparableConv(4, act_cfg=dict(type='GELU'))
    assert count(gn, fusion, xs) == (1, 0)
    assert count(gelu, fusion, xs) == (1, 0)


def test_neck_with_and_without_kernels_is_the_same():
    # the whole neck, two steps of SGD: same outputs, parameters and batch
    # norm statistics with the kernels and without
    torch.manual_seed(0)
    necks = [ABiFPN([8, 16, 32], 12, num_outs=5, num_repeats=2,
                    cpu_kernels=flag) for flag in (True, False)]
    necks[1].load_state_dict(necks[0].state_dict())
    feats = [torch.rand(2, c, s, s + 2) for c, s in ((8, 16), (16, 8),
                                                      (32, 4))]
    results = []
    for neck in necks:
        opt = torch.optim.SGD(neck.parameters(), lr=0.1)
        for _ in range(2):
            opt.zero_grad()
            outs = neck(feats)
            sum((o - 0.5).pow(2).mean() for o in outs).backward()
            opt.step()
        results.append([o.detach() for o in outs] +
                       list(neck.state_dict().values()))
    assert len(results[0]) == len(results[1]) > 50
    for got, want in zip(*results):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)


def test_empty_batch_and_bad_inputs():
    from projects.acfd import _abifpn_ops
    conv, fusion = _node(4, True, 2, torch.float32)
    # an empty batch: the fusion and depthwise conv give an empty map; batch
    # norm refuses it in training, as nn.BatchNorm2d does
    empty = _maps(2, 4, (3, 3), torch.float32)
    empty = [x[:0] for x in empty]
    out = _abifpn_ops.fusion_depthwise(fusion.weight, 1e-4, 3,
                                       conv.depthwise_branches(), empty)
    assert out.shape == (0, 4, 3, 3)
    with pytest.raises(ValueError,
                       match=r'more than one value.*\(0, 4, 3, 3\)'):
        conv.forward_fused(fusion, empty)
    one_pixel = _maps(2, 4, (1, 1), torch.float32)
    one_pixel = [x[:1] for x in one_pixel]
    with pytest.raises(ValueError, match='more than one value'):
        conv.forward_fused(fusion, one_pixel)
    # the kernel's own check, for a direct call
    with pytest.raises(RuntimeError, match='more than one value'):
        _abifpn_ops.pointwise_bn_relu(one_pixel[0], conv.pw.conv.weight,
                                      conv.pw.norm.weight, conv.pw.norm.bias,
                                      torch.zeros(4), torch.ones(4), 0.1,
                                      1e-5)
    xs = _maps(2, 4, (3, 3), torch.float32)
    with pytest.raises(ValueError, match=r'fuses 2 inputs'):
        conv.forward_fused(fusion, xs[:1])
    with pytest.raises(RuntimeError, match='inputs must be CPU maps of one'):
        _abifpn_ops.fusion_depthwise(fusion.weight, 1e-4, 3,
                                     conv.depthwise_branches(),
                                     [xs[0], xs[1][:, :, :2]])
    with pytest.raises(RuntimeError, match='kernel_size must be odd'):
        _abifpn_ops.fusion_depthwise(fusion.weight, 1e-4, 2,
                                     conv.depthwise_branches(), xs)
    with pytest.raises(RuntimeError, match=r'\(C, 1, kh, kw\)'):
        _abifpn_ops.fusion_depthwise(fusion.weight, 1e-4, 3,
                                     [torch.rand(4, 1, 2, 1)], xs)
    with pytest.raises(RuntimeError, match='batch norm tensors'):
        _abifpn_ops.pointwise_bn_relu(xs[0], conv.pw.conv.weight,
                                      torch.ones(3), torch.zeros(4),
                                      torch.zeros(4), torch.ones(4), 0.1,
                                      1e-5)
    assert isinstance(conv.pw.norm, nn.BatchNorm2d)
    # the backwards are first-order only: a double backward is refused
    # rather than answered without a graph
    out = conv.forward_fused(fusion, xs)
    with pytest.raises(RuntimeError, match='cpu_kernels=False'):
        torch.autograd.grad(out.sum(), xs[0], create_graph=True)
