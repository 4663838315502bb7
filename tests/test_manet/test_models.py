# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet and AdaIN models: alpha and style interpolation, the loss gate,
the disentanglement sampling (paper vs released code), odd sizes."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.manet  # noqa: F401
from projects.manet import (MANetLoss, adaptive_instance_norm, calc_mean_std,
                            mean_std_style_loss, normalised_content_loss)

from ._reference import tiny_adain, tiny_manet


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmpretrain')
    torch.manual_seed(0)


def _images(batch, height=32, width=32):
    return torch.rand(batch, 3, height, width)


def test_alpha_zero_is_decoding_ma_of_content_with_itself():
    model = MODELS.build(tiny_manet()).eval()
    content, style = _images(2, 24, 16), _images(2, 16, 32)
    with torch.no_grad():
        got = model.stylise(content, style, alpha=0.0)
        fc = model.encoder(content, 4)[3]
        expected = model.decoder(model.ma_module(fc, fc))
        full = model.stylise(content, style, alpha=1.0)
        stylised = model.decoder(
            model.ma_module(fc, model.encoder(style, 4)[3]))
        half = model.stylise(content, style, alpha=0.5)
    assert torch.equal(got, expected)
    assert torch.equal(full, stylised)
    assert not torch.equal(got, full)
    fs = model.encoder(style, 4)[3]
    mixed = model.decoder(0.5 * model.ma_module(fc, fs) +
                          0.5 * model.ma_module(fc, fc))
    torch.testing.assert_close(half, mixed.detach())
    with pytest.raises(ValueError, match='alpha'):
        model.stylise(content, style, alpha=1.5)


def test_style_interpolation_weights():
    model = MODELS.build(tiny_manet()).eval()
    content, s1, s2 = _images(1), _images(1), _images(1, 24, 24)
    with torch.no_grad():
        got = model.stylise(content, [s1, s2], weights=[1, 3], alpha=0.8)
        fc = model.encoder(content, 4)[3]
        feat = (0.25 * model.ma_module(fc, model.encoder(s1, 4)[3]) +
                0.75 * model.ma_module(fc, model.encoder(s2, 4)[3]))
        expected = model.decoder(0.8 * feat +
                                 0.2 * model.ma_module(fc, fc))
    torch.testing.assert_close(got, expected)
    with pytest.raises(ValueError, match='interpolation weights'):
        model.stylise(content, [s1, s2])
    with pytest.raises(ValueError, match='style weights'):
        model.stylise(content, [s1, s2], weights=[1])
    with pytest.raises(ValueError, match='style weights'):
        model.stylise(content, [s1, s2], weights=[0, 0])
    with pytest.raises(ValueError, match='at least one style'):
        model.stylise(content, [])


@pytest.mark.parametrize('cfg', [tiny_manet, tiny_adain])
def test_odd_sizes_keep_the_content_size(cfg):
    model = MODELS.build(cfg()).eval()
    with torch.no_grad():
        out = model(_images(2, 37, 29), _images(2, 21, 45))
    assert out.shape == (2, 3, 37, 29)
    samples = model.predict(_images(1, 19, 23), _images(1, 17, 17))
    assert samples[0].pred_img.shape == (3, 19, 23)
    assert 0 <= samples[0].pred_img.min() <= samples[0].pred_img.max() <= 1
    assert samples[0].content_loss >= 0 and samples[0].style_loss > 0
    assert samples[0].time > 0


def test_predict_scores_match_the_paper_losses():
    model = MODELS.build(tiny_manet()).eval()
    content, style = _images(2), _images(2)
    with torch.no_grad():
        samples = model.predict(content, style)
        out = model.stylise(content, style).clamp(0, 1)
        fo, fc, fs = (model.encoder(x) for x in (out, content, style))
    for i, sample in enumerate(samples):
        one = slice(i, i + 1)
        assert sample.content_loss == pytest.approx(
            float(normalised_content_loss([f[one] for f in fo],
                                          [f[one] for f in fc])))
        assert sample.style_loss == pytest.approx(
            float(mean_std_style_loss([f[one] for f in fo],
                                      [f[one] for f in fs])))


def test_loss_gate_opens_below_ten():
    loss = MANetLoss()
    terms = dict(
        loss_content=torch.tensor(4.0),
        loss_style=torch.tensor(1.19),  # 4 + 5 * 1.19 = 9.95 < 10
        loss_dis_content=torch.tensor(2.0),
        loss_dis_style=torch.tensor(3.0),
        loss_identity1=torch.tensor(0.1),
        loss_identity2=torch.tensor(0.7))
    opened = loss(terms)
    assert float(opened['dis_gate']) == 1.0
    assert float(opened['loss_style']) == pytest.approx(5.95)
    assert float(opened['loss_identity1']) == pytest.approx(5.0)
    assert float(opened['loss_dis_content']) == 2.0
    total = sum(v for k, v in opened.items() if 'loss' in k)
    assert float(total) == pytest.approx(4 + 5.95 + 2 + 3 + 5 + 0.7)
    closed = loss(dict(terms, loss_style=torch.tensor(1.21)))  # 10.05
    assert float(closed['dis_gate']) == 0.0
    assert float(closed['loss_dis_content']) == 0.0
    assert float(closed['loss_dis_style']) == 0.0
    always = MANetLoss(dis_gate_threshold=None)(
        dict(terms, loss_style=torch.tensor(100.)))
    assert float(always['loss_dis_style']) == 3.0
    with pytest.raises(KeyError, match='loss_identity2'):
        loss({k: v for k, v in terms.items() if k != 'loss_identity2'})


class _Recorder:
    """Records the multi-adaptation inputs and the decoder outputs of one
    training step (order: Ics, Ics1, Ic1s, Icc, Iss)."""

    def __init__(self, model):
        self.ma, self.decoded = [], []
        model.ma_module.register_forward_hook(
            lambda m, args, out: self.ma.append(
                [a.detach() for a in args]))
        model.decoder.register_forward_hook(
            lambda m, args, out: self.decoded.append(out.detach()))


def _batch(batch=3):
    return dict(
        content=_images(batch),
        style=_images(batch),
        content1=_images(batch),
        style1=_images(batch))


def test_paper_sampling_expands_one_image_and_pairs_neighbours():
    model = MODELS.build(tiny_manet(dis_sampling='paper'))
    recorder = _Recorder(model)
    data = _batch()
    losses = model.loss(**data)
    assert len(recorder.ma) == 5
    fc1 = model.encoder(data['content1'][:1])
    fs1 = model.encoder(data['style1'][:1])
    # Ics1: every content with style1[0]; Ic1s: content1[0] with every style
    for row in recorder.ma[1][1]:
        assert torch.equal(row, fs1[3][0])
    for row in recorder.ma[2][0]:
        assert torch.equal(row, fc1[3][0])
    ic1s, ics1 = recorder.decoded[2], recorder.decoded[1]
    f_ic1s, f_ics1 = model.encoder(ic1s), model.encoder(ics1)
    expected_c = normalised_content_loss(
        f_ic1s, [f.roll(1, 0) for f in f_ic1s])
    expected_s = mean_std_style_loss(f_ics1, [f.roll(1, 0) for f in f_ics1])
    gate = losses['dis_gate']
    torch.testing.assert_close(losses['loss_dis_content'],
                               gate * expected_c.detach())
    torch.testing.assert_close(losses['loss_dis_style'],
                               gate * expected_s.detach())
    # the rest of content1/style1 is not used
    again = dict(data, content1=torch.cat([data['content1'][:1],
                                           _images(2)]))
    torch.testing.assert_close(
        model.loss(**again)['loss_dis_content'], losses['loss_dis_content'])


def test_official_sampling_uses_whole_batches_and_random_pairs():
    model = MODELS.build(
        tiny_manet(
            dis_sampling='official',
            loss=dict(type='MANetLoss', dis_gate_threshold=None)))
    recorder = _Recorder(model)
    data = _batch()
    losses = model.loss(**data)
    torch.testing.assert_close(recorder.ma[2][0],
                               model.encoder(data['content1'])[3])
    assert not torch.equal(recorder.ma[2][0][0], recorder.ma[2][0][1])
    assert float(losses['loss_dis_content']) >= 0
    # one image per batch: both permutations are the identity -> 0
    single = model.loss(**_batch(1))
    assert float(single['loss_dis_content']) == 0.0
    assert float(single['loss_dis_style']) == 0.0
    with pytest.raises(ValueError, match='batches of 3'):
        model.loss(**dict(data, style1=_images(1)))
    with pytest.raises(ValueError, match='dis_sampling'):
        MODELS.build(tiny_manet(dis_sampling='shuffle'))


def test_identity_and_main_terms_by_hand():
    model = MODELS.build(
        tiny_manet(loss=dict(type='MANetLoss', dis_gate_threshold=None)))
    recorder = _Recorder(model)
    data = _batch(2)
    losses = model.loss(**data)
    ics, _, _, icc, iss = recorder.decoded
    fc, fs = model.encoder(data['content']), model.encoder(data['style'])
    torch.testing.assert_close(
        losses['loss_identity1'].detach(),
        50 * (F.mse_loss(icc, data['content']) +
              F.mse_loss(iss, data['style'])))
    f_ics = model.encoder(ics)
    torch.testing.assert_close(losses['loss_content'].detach(),
                               normalised_content_loss(f_ics, fc).detach())
    torch.testing.assert_close(losses['loss_style'].detach(),
                               5 * mean_std_style_loss(f_ics, fs).detach())
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert model.decoder.layers[0].conv.weight.grad.abs().sum() > 0
    assert model.ma_module.style_sa.f.weight.grad.abs().sum() > 0
    assert model.encoder.normalise.weight.grad is None
    with pytest.raises(ValueError, match='content1 and style1'):
        model.loss(data['content'], data['style'], None, None)


def test_adain_baseline():
    content, style = torch.randn(2, 3, 4, 5), torch.randn(2, 3, 6, 3) * 3 + 1
    out = adaptive_instance_norm(content, style)
    for a, b in zip(calc_mean_std(out), calc_mean_std(style)):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
    model = MODELS.build(tiny_adain())
    images = _batch(2)
    losses = model(**images, mode='loss')
    assert set(losses) == {'loss_content', 'loss_style'}
    sum(losses.values()).backward()
    assert model.decoder.layers[-1].conv.weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        got = model.stylise(images['content'], images['style'], alpha=0.0)
        expected = model.decoder(model.encoder(images['content'], 4)[3])
    assert torch.equal(got, expected)
    with pytest.raises(RuntimeError, match='Invalid mode'):
        model(**images, mode='bad')
