# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The compiled DCNv2 column sampler (inference path of SemaTree's
deformable convs on the CPU, issue #20) against the ``grid_sample`` path it
replaces."""
import pytest
import torch

from projects.sematree import sampled_deform_conv as sdc

def test_sampler_is_built():
    # an environment made by tools/setup_env.sh (the CI's) has compiled it;
    # without it this test names the cause and the tests below fail
    assert sdc._deform_sampling is not None, (
        'projects/sematree/_deform_sampling is missing: run pip install -e . '
        'with a C++ compiler')


def _inputs(n, cin, cout, groups, size, k, stride, padding, dilation, dtype):
    h, w = size
    ho = (h + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    wo = (w + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    # offsets of several pixels: many points fall outside the image
    offset = torch.randn(n, 2 * groups * k * k, ho, wo, dtype=dtype) * 3
    mask = torch.rand(n, groups * k * k, ho, wo, dtype=dtype)
    return (torch.randn(n, cin, h, w, dtype=dtype), offset, mask,
            torch.randn(cout, cin, k, k, dtype=dtype),
            torch.randn(cout, dtype=dtype), (stride, stride),
            (padding, padding), (dilation, dilation), groups)


def _without_sampler(monkeypatch, args):
    with monkeypatch.context() as m:
        m.setattr(sdc, '_deform_sampling', None)
        return sdc.modulated_deform_conv2d_sampled(*args)


@pytest.mark.parametrize('n,cin,cout,groups,size,k,stride,padding,dilation', [
    (2, 8, 6, 2, (9, 7), 3, 1, 1, 1),
    (1, 6, 5, 1, (10, 11), 3, 2, 1, 2),
    (2, 12, 7, 3, (8, 8), 3, 1, 2, 2),
    (1, 4, 9, 1, (5, 5), 1, 1, 0, 1),
    (2, 5, 4, 1, (1, 1), 3, 1, 1, 1),
    (0, 6, 4, 2, (5, 5), 3, 1, 1, 1),
])
def test_columns_equal_grid_sample_path(monkeypatch, n, cin, cout, groups,
                                        size, k, stride, padding, dilation):
    torch.manual_seed(0)
    args = _inputs(n, cin, cout, groups, size, k, stride, padding, dilation,
                   torch.float64)
    assert 2 * groups * cout > cin  # the branch the sampler replaces
    calls = []
    sampler = sdc._deform_sampling

    class _Counting:

        def deform_columns(self, *a):
            calls.append(a[0].shape)
            return sampler.deform_columns(*a)

    with torch.no_grad():
        want = _without_sampler(monkeypatch, args)
        monkeypatch.setattr(sdc, '_deform_sampling', _Counting())
        got = sdc.modulated_deform_conv2d_sampled(*args)
    assert len(calls) == 1
    assert got.shape == want.shape == (n, cout) + want.shape[2:]
    torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10)


def test_gradients_keep_the_differentiable_path(monkeypatch):
    # with gradients the grid_sample path runs (the sampler has no
    # backward), and calling the sampler on tensors that want gradients is
    # refused
    torch.manual_seed(0)
    args = list(_inputs(1, 6, 5, 1, (6, 6), 3, 1, 1, 1, torch.float32))
    args[0].requires_grad_()
    out = sdc.modulated_deform_conv2d_sampled(*args)
    out.sum().backward()
    assert args[0].grad is not None and args[0].grad.abs().sum() > 0
    with pytest.raises(RuntimeError, match='no backward'):
        sdc._deform_sampling.deform_columns(args[0], args[1], args[2], 3, 3,
                                            [1, 1], [1, 1], [1, 1], 1)


def test_sampler_bad_inputs():
    x, offset, mask = torch.rand(1, 6, 5, 5), torch.rand(1, 18, 5, 5), \
        torch.rand(1, 9, 5, 5)
    with pytest.raises(RuntimeError, match=r'offset \(N, 2 G K, Ho, Wo\)'):
        sdc._deform_sampling.deform_columns(x, offset[:, :10], mask, 3, 3,
                                            [1, 1], [1, 1], [1, 1], 1)
    with pytest.raises(RuntimeError, match='G dividing C'):
        sdc._deform_sampling.deform_columns(x, torch.rand(1, 72, 5, 5),
                                            torch.rand(1, 36, 5, 5), 3, 3,
                                            [1, 1], [1, 1], [1, 1], 4)
    with pytest.raises(RuntimeError, match='pairs'):
        sdc._deform_sampling.deform_columns(x, offset, mask, 3, 3, [1], [1, 1],
                                            [1, 1], 1)
    cols = sdc._deform_sampling.deform_columns(x, offset, mask, 3, 3, [1, 1],
                                               [1, 1], [1, 1], 1)
    assert cols.shape == (1, 25, 9 * 6)
