# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet modules: statistics, attention forms against loop-by-loop hand
computations, the exact encoder/decoder layouts, odd sizes, gradients and
bad inputs."""
import math

import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.manet  # noqa: F401
from projects.manet import (CoAdaptation, ContentSelfAdaptation,
                            MirrorVGGDecoder, MultiAdaptationModule,
                            NormalisedVGG19Encoder, StyleSelfAdaptation,
                            calc_mean_std, convert_official_state_dicts,
                            mean_std_normalise, official_vgg_conv_indices,
                            position_attention)

from ._reference import TINY, official_decoder, official_taps, official_vgg


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmpretrain')
    torch.manual_seed(0)


def _conv(module, x):
    """A 1x1 conv by hand: W x + b per position."""
    weight = module.weight[:, :, 0, 0]
    return torch.einsum('oc,bchw->bohw', weight, x) + module.bias.view(
        1, -1, 1, 1)


def _norm_by_hand(x):
    out = torch.empty_like(x)
    for b in range(x.shape[0]):
        for c in range(x.shape[1]):
            values = x[b, c].flatten()
            n = values.numel()
            mean = sum(values.tolist()) / n
            var = sum((v - mean)**2 for v in values.tolist()) / (n - 1)
            out[b, c] = (x[b, c] - mean) / math.sqrt(var + 1e-5)
    return out


def _softmax_row(row):
    exps = [math.exp(v - max(row)) for v in row]
    return [e / sum(exps) for e in exps]


def test_mean_std_by_hand():
    feat = torch.tensor([1., 2., 3., 4., 10., 10., 10., 10.]).view(1, 2, 2, 2)
    mean, std = calc_mean_std(feat)
    assert mean.flatten().tolist() == pytest.approx([2.5, 10.0])
    assert std.flatten().tolist() == pytest.approx(
        [math.sqrt(5 / 3 + 1e-5), math.sqrt(1e-5)])
    normalised = mean_std_normalise(feat)
    assert normalised[0, 0].flatten().tolist() == pytest.approx(
        [(v - 2.5) / math.sqrt(5 / 3 + 1e-5) for v in (1, 2, 3, 4)])
    with pytest.raises(ValueError, match='at least 2 positions'):
        calc_mean_std(torch.ones(1, 2, 1, 1))
    with pytest.raises(ValueError, match='expects'):
        calc_mean_std(torch.ones(2, 3))


def test_content_sa_by_hand():
    block = ContentSelfAdaptation(3).double()
    x = torch.randn(1, 3, 2, 3, dtype=torch.float64)
    with torch.no_grad():
        got = block(x)
        q = _conv(block.f, _norm_by_hand(x)).flatten(2)[0]  # C x N
        k = _conv(block.g, _norm_by_hand(x)).flatten(2)[0]
        v = _conv(block.h, x).flatten(2)[0]
        n = x.shape[2] * x.shape[3]
        mixed = torch.zeros(3, n, dtype=torch.float64)
        for i in range(n):
            weights = _softmax_row(
                [float(q[:, i] @ k[:, j]) for j in range(n)])
            for j in range(n):
                mixed[:, i] += weights[j] * v[:, j]
        expected = _conv(block.out_conv, mixed.view(1, 3, 2, 3)) + x
    torch.testing.assert_close(got, expected)


def test_style_sa_by_hand():
    block = StyleSelfAdaptation(3).double()
    x = torch.randn(1, 3, 3, 2, dtype=torch.float64)
    with torch.no_grad():
        got = block(x)
        q = _conv(block.f, x).flatten(2)[0]
        k = _conv(block.g, x).flatten(2)[0]
        v = _conv(block.h, _norm_by_hand(x)).flatten(2)[0]
        attention = [
            _softmax_row([float(q[d] @ k[e]) for e in range(3)])
            for d in range(3)
        ]
        mixed = torch.zeros_like(v)
        for c in range(3):  # channel c gathers column c of A
            for d in range(3):
                mixed[c] += attention[d][c] * v[d]
        expected = _conv(block.out_conv, mixed.view(1, 3, 3, 2)) + x
    torch.testing.assert_close(got, expected)


def test_co_adaptation_by_hand_with_different_sizes():
    block = CoAdaptation(2).double()
    content = torch.randn(1, 2, 2, 2, dtype=torch.float64)
    style = torch.randn(1, 2, 1, 3, dtype=torch.float64)
    with torch.no_grad():
        got = block(content, style)
        q = _conv(block.f, _norm_by_hand(content)).flatten(2)[0]
        k = _conv(block.g, _norm_by_hand(style)).flatten(2)[0]
        v = _conv(block.h, style).flatten(2)[0]
        mixed = torch.zeros(2, 4, dtype=torch.float64)
        for i in range(4):
            weights = _softmax_row(
                [float(q[:, i] @ k[:, j]) for j in range(3)])
            for j in range(3):
                mixed[:, i] += weights[j] * v[:, j]
        expected = _conv(block.out_conv, mixed.view(1, 2, 2, 2)) + content
    torch.testing.assert_close(got, expected)
    with pytest.raises(ValueError, match='same batch and channels'):
        block(content, torch.randn(1, 3, 2, 2, dtype=torch.float64))


def test_multi_adaptation_composes_the_blocks_and_all_get_gradients():
    module = MultiAdaptationModule(4)
    content = torch.randn(2, 4, 5, 3, requires_grad=True)
    style = torch.randn(2, 4, 3, 7)
    out = module(content, style)
    assert out.shape == content.shape
    expected = module.co_adaptation(
        module.content_sa(content), module.style_sa(style))
    torch.testing.assert_close(out, expected)
    out.square().mean().backward()
    for name, param in module.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
    assert content.grad.abs().sum() > 0


def test_chunked_attention_equals_the_whole_map():
    query = torch.randn(2, 37, 5)
    key = torch.randn(2, 5, 11)
    value = torch.randn(2, 3, 11)
    whole = position_attention(query, key, value)
    for limit in (1, 2 * 11 * 4, 10**9):
        torch.testing.assert_close(
            position_attention(query, key, value, limit), whole)
    module = MultiAdaptationModule(4)
    chunked = MultiAdaptationModule(4, max_attention_elements=20)
    chunked.load_state_dict(module.state_dict())
    c, s = torch.randn(1, 4, 5, 6), torch.randn(1, 4, 4, 4)
    torch.testing.assert_close(chunked(c, s), module(c, s))


def test_encoder_equals_the_official_layout_at_odd_sizes():
    reference = official_vgg(TINY)
    state, dropped = convert_official_state_dicts(
        vgg=reference.state_dict())
    assert dropped == dict(vgg=6)  # conv5_2..conv5_4 weights and biases
    encoder = NormalisedVGG19Encoder(widths=TINY)
    encoder.load_state_dict(
        {k[len('encoder.'):]: v
         for k, v in state.items()}, strict=True)
    img = torch.rand(2, 3, 33, 21)
    feats = encoder(img)
    expected = official_taps(reference, img)
    assert [f.shape[-2:] for f in feats] == [(33, 21), (17, 11), (9, 6),
                                             (5, 3), (3, 2)]
    for got, want in zip(feats, expected):
        torch.testing.assert_close(got, want)
    assert [f.shape[1] for f in feats] == list(TINY)


def test_encoder_is_frozen_but_passes_gradients_to_the_input():
    encoder = NormalisedVGG19Encoder(widths=TINY)
    encoder.train()
    assert not encoder.training
    assert all(not p.requires_grad for p in encoder.parameters())
    img = torch.rand(1, 3, 17, 17, requires_grad=True)
    encoder(img)[4].sum().backward()
    assert img.grad.abs().sum() > 0
    assert len(encoder(torch.rand(1, 3, 9, 9), num_taps=4)) == 4
    with pytest.raises(ValueError, match='too small for relu5_1'):
        encoder(torch.rand(1, 3, 16, 40))
    with pytest.raises(ValueError, match='expects'):
        encoder(torch.rand(1, 1, 16, 16))
    with pytest.raises(ValueError, match='widths'):
        NormalisedVGG19Encoder(widths=(4, 4))


def test_decoder_equals_the_official_layout():
    reference = official_decoder(TINY[:4])
    decoder = MirrorVGGDecoder(widths=TINY[:4])
    mapping = decoder.official_key_map()
    decoder.load_state_dict(
        {mapping[k]: v
         for k, v in reference.state_dict().items()}, strict=True)
    feat = torch.randn(2, TINY[3], 3, 5)
    out = decoder(feat)
    assert out.shape == (2, 3, 24, 40)
    torch.testing.assert_close(out, reference(feat))


def test_official_index_layout():
    assert official_vgg_conv_indices() == [
        0, 2, 5, 9, 12, 16, 19, 22, 25, 29, 32, 35, 38, 42, 45, 48, 51
    ]


def test_registered():
    for name in ('NormalisedVGG19Encoder', 'MirrorVGGDecoder',
                 'MultiAdaptationModule', 'ContentSelfAdaptation',
                 'StyleSelfAdaptation', 'CoAdaptation', 'MANetLoss',
                 'MANetStyleTransfer', 'AdaINStyleTransfer',
                 'StyleTransferDataPreprocessor'):
        assert MODELS.get(name) is not None, name
