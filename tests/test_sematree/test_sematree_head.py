# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""SemanticNeuralTreeHead: shapes at 384x384 and odd sizes, probabilities,
the loss composition against a recomputation, gradients, bad inputs and a
few training steps inside mmseg's EncoderDecoder."""
import logging

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import projects.sematree  # noqa: F401
from projects.sematree import InverseFrequencyNLLLoss

LIP_TREE = [[0], [[1, 2, 4, 13], [[5, 6, 7, 11], [3, 14, 15]],
                  [[9, 10, 12, 16, 17], [8, 18, 19]]]]


def _head(**kwargs) -> torch.nn.Module:
    init_default_scope('mmseg')
    cfg = dict(
        type='SemanticNeuralTreeHead',
        tree=LIP_TREE,
        num_classes=20,
        in_channels=[4, 4, 4, 8],
        in_index=[0, 1, 2, 3],
        channels=8,
        transform_channels=(4, 4, 4),
        leaf_channels=(4, 4, 4),
        fusion_channels=(8, 8),
        norm_cfg=dict(type='BN'),
        act_cfg=dict(type='LeakyReLU', negative_slope=0.01))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def _feats(n: int, h: int, w: int) -> list:
    """Features of an output-stride-16 backbone for an h x w image."""
    c2 = (-(-h // 4), -(-w // 4))
    c3 = (-(-h // 8), -(-w // 8))
    c4 = (-(-h // 16), -(-w // 16))
    return [
        torch.randn(n, 4, *c2),
        torch.randn(n, 4, *c3),
        torch.randn(n, 4, *c4),
        torch.randn(n, 8, *c4)
    ]


def _samples(labels: torch.Tensor) -> list:
    return [
        SegDataSample(gt_sem_seg=PixelData(data=label[None]))
        for label in labels
    ]


@pytest.mark.parametrize('size', [(384, 384), (37, 53)])
def test_probabilities_at_any_size(size):
    torch.manual_seed(0)
    head = _head().eval()
    feats = _feats(1, *size)
    with torch.no_grad():
        probs = head(feats)
    assert probs.shape == (1, 20, *feats[0].shape[2:])
    assert (probs >= 0).all()
    torch.testing.assert_close(probs.sum(1), torch.ones_like(probs[:, 0]))
    with torch.no_grad():
        outputs = head.forward_tree(feats)
    assert [r.shape[1] for r in outputs['routers']] == [2, 4, 3, 3]
    assert [leaf.shape[1] for leaf in outputs['leaves']] == [
        2, 5, 5, 4, 6, 4]
    # Routers 3, 4 and leaves 2-5 work at C2, the others coarser.
    assert outputs['leaves'][2].shape[2:] == feats[0].shape[2:]
    assert outputs['leaves'][0].shape[2:] == feats[2].shape[2:]


def test_loss_is_weighted_sum_of_inverse_frequency_nll():
    torch.manual_seed(0)
    head = _head(leaf_dropout=0.0, fusion_dropout=0.0).eval()
    feats = _feats(2, 32, 32)
    labels = torch.randint(0, 20, (2, 32, 32))
    labels[0, :4] = 255
    outputs = head.forward_tree(feats)
    losses = head.loss_by_feat(outputs, _samples(labels))
    assert set(losses) == {'loss_final', 'loss_router', 'loss_leaf',
                           'acc_seg'}

    nll = InverseFrequencyNLLLoss()

    def term(logits, target):
        logits = F.interpolate(logits, (32, 32), mode='bilinear')
        return nll(F.log_softmax(logits, 1), target)

    # LIP_TREE's routers and leaves (depth first), as groups of class ids:
    # a pixel's target is 1 + the index of its group, 0 outside them (no
    # "other" channel when the groups hold all 20 classes), 255 stays 255
    a, b, c, d = [1, 2, 4, 13], [5, 6, 7, 11], [3, 14, 15], [9, 10, 12, 16, 17]
    e = [8, 18, 19]
    routers = [[[0], a + b + c + d + e], [a, b + c, d + e], [b, c], [d, e]]
    leaves = [[[k] for k in group] for group in ([0], a, b, c, d, e)]

    def target(groups):
        offset = int(sum(map(len, groups)) < 20)
        out = torch.zeros_like(labels)
        for i, group in enumerate(groups):
            for k in group:
                out[labels == k] = i + offset
        return out.masked_fill(labels == 255, 255)

    final = 3.0 * term(outputs['seg'], labels)
    routers = sum(
        term(x, target(groups))
        for groups, x in zip(routers, outputs['routers']))
    leaves = 1.5 * sum(
        term(x, target(groups))
        for groups, x in zip(leaves, outputs['leaves']))
    torch.testing.assert_close(losses['loss_final'], final)
    torch.testing.assert_close(losses['loss_router'], routers)
    torch.testing.assert_close(losses['loss_leaf'], leaves)

    total = losses['loss_final'] + losses['loss_router'] + losses['loss_leaf']
    total.backward()
    for name, param in head.named_parameters():
        assert param.grad is not None and torch.isfinite(param.grad).all(), \
            name
    assert head.routers[3][1].weight.grad.abs().sum() > 0
    assert head.leaves[5][1].weight.grad.abs().sum() > 0


def test_all_ignored_labels_give_zero_loss():
    head = _head()
    losses = head.loss_by_feat(
        head.forward_tree(_feats(2, 16, 16)),
        _samples(torch.full((2, 16, 16), 255)))
    for key in ('loss_final', 'loss_router', 'loss_leaf'):
        assert losses[key].item() == 0.0


def test_bad_inputs_are_named():
    head = _head().eval()
    labels = torch.zeros(1, 16, 16, dtype=torch.long)
    labels[0, 0, 0] = 21
    with pytest.raises(ValueError, match=r'ids \[21\] \(1 pixels\)'):
        head.loss_by_feat(head.forward_tree(_feats(1, 16, 16)),
                          _samples(labels))
    with pytest.raises(ValueError, match='needs 4 backbone levels'):
        _head(in_channels=[4, 8], in_index=[0, 1])
    with pytest.raises(ValueError, match='needs 3 transform_channels'):
        _head(transform_channels=(4, 4))
    with pytest.raises(ValueError, match=r'missing ids \[19\]'):
        _head(tree=[[0], list(range(1, 19))])


def test_losses_take_the_heads_ignore_index():
    head = _head(ignore_index=100)
    assert head.loss_decode.ignore_index == 100
    assert head.loss_router.ignore_index == head.loss_leaf.ignore_index == 100
    torch.manual_seed(0)
    labels = torch.randint(0, 20, (2, 16, 16))
    labels[:, :4] = 100  # ignored, not read as a class id
    outputs = head.forward_tree(_feats(2, 16, 16))
    losses = head.loss_by_feat(outputs, _samples(labels))
    # the same as the default head (ignore 255) with those pixels at 255,
    # and not what counting them as a class would give
    default = _head()
    default.load_state_dict(head.state_dict())
    same = default.loss_by_feat(outputs,
                                _samples(labels.masked_fill(labels == 100,
                                                            255)))
    counted = default.loss_by_feat(
        outputs, _samples(labels.masked_fill(labels == 100, 1)))
    for key in ('loss_final', 'loss_router', 'loss_leaf'):
        assert torch.isfinite(losses[key]) and losses[key] > 0
        assert torch.equal(losses[key], same[key]), key
        assert not torch.allclose(losses[key], counted[key]), key
    with pytest.raises(ValueError,
                       match=r'loss_leaf\.ignore_index \(255\) differs'):
        _head(ignore_index=100,
              loss_leaf=dict(type='InverseFrequencyNLLLoss',
                             ignore_index=255))


def test_encoder_decoder_trains_and_predicts():
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='EncoderDecoder',
            data_preprocessor=dict(
                type='SegDataPreProcessor',
                mean=[128.0] * 3,
                std=[64.0] * 3,
                size=(48, 48)),
            backbone=dict(
                type='ResNetV1c',
                depth=18,
                stem_channels=8,
                base_channels=4,
                strides=(1, 2, 2, 1),
                dilations=(1, 1, 1, 2),
                norm_cfg=dict(type='BN')),
            decode_head=dict(
                type='SemanticNeuralTreeHead',
                tree=[[0], [[1], [[2], [3, 4]], [5, 6]]],
                num_classes=7,
                in_channels=[4, 8, 16, 32],
                in_index=[0, 1, 2, 3],
                channels=8,
                transform_channels=(8, 8, 8),
                leaf_channels=(8, 8, 8),
                fusion_channels=(8, 8),
                leaf_dropout=0.0,
                fusion_dropout=0.0,
                dcn_cfg=dict(type='DCNv2', deform_groups=2),
                norm_cfg=dict(type='BN')),
            test_cfg=ConfigDict(mode='whole')))
    images = torch.rand(2, 3, 48, 48) * 255
    labels = torch.zeros(2, 48, 48, dtype=torch.long)
    for c in range(1, 7):  # vertical bands, one per class
        labels[:, :, 6 * c:6 * c + 6] = c
    images[:, 0] = labels.float() * 30
    data = dict(inputs=list(images), data_samples=_samples(labels))
    optim = torch.optim.Adam(model.parameters(), lr=1e-2)
    totals = []
    for _ in range(4):
        batch = model.data_preprocessor(data, training=True)
        losses = model(**batch, mode='loss')
        total = sum(v for k, v in losses.items() if 'loss' in k)
        optim.zero_grad()
        total.backward()
        optim.step()
        totals.append(total.item())
    assert totals[-1] < totals[0]

    model.eval()
    for sample in data['data_samples']:
        sample.set_metainfo(
            dict(img_shape=(48, 48), ori_shape=(48, 48), pad_shape=(48, 48)))
    with torch.no_grad():
        results = model.test_step(data)
    assert results[0].pred_sem_seg.data.shape == (1, 48, 48)
    probs = results[0].seg_logits.data
    torch.testing.assert_close(probs.sum(0), torch.ones(48, 48))


def test_deform_groups_fit_odd_channels(monkeypatch):
    # LIP's leaves 2-5 see 128 + 3 channels; 4 + 3 = 7 here, odd.
    from projects.sematree import sematree_head
    records = []
    monkeypatch.setattr(sematree_head, 'print_log',
                        lambda msg, **kwargs: records.append((msg, kwargs)))
    head = _head()
    # the 4 leaves of depth 2 each log where and what was lowered
    assert all(kw['level'] == logging.WARNING for _, kw in records)
    lowered = sorted(msg for msg, _ in records if 'deform_groups' in msg)
    assert lowered == [
        f'SemanticNeuralTreeHead tree{where}: deform_groups=2 does not '
        'divide 7 input channels; using 1'
        for where in ('[1][1][0]', '[1][1][1]', '[1][2][0]', '[1][2][1]')
    ]
    assert head.leaves[2][0][0].deform_groups == 1
    assert head.leaves[1][0][0].deform_groups == 2  # 4 + 4 = 8 channels
    assert head.aggregation[0][0].deform_groups == 2
