# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DDLFaceRecognizer: losses per branch, errors, hard head from load_from,
and the demo config trained and resumed through tools/train.py."""
import copy
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import load_state_dict
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import projects.ddl  # noqa: F401
from projects.ddl import DistributionDistillationLoss

REPO = Path(__file__).resolve().parents[2]
CFG = 'configs/ddl/ddl_iresnet-tiny_1xb32-100it_face-identities-hard-demo.py'
HEAD = dict(type='CurricularFaceHead',
            num_classes=3,
            in_channels=8,
            scale=16.0,
            margins=0.3)


def _model(**kwargs):
    init_default_scope('mmpretrain')
    return MODELS.build(
        dict(type='DDLFaceRecognizer',
             backbone=dict(type='IResNet',
                           arch='tiny',
                           input_size=16,
                           embedding_dim=8),
             head=HEAD,
             **kwargs))


def _samples(streams, labels):
    return [
        DataSample(metainfo=dict(ddl_stream=s)).set_gt_label(y)
        for s, y in zip(streams, labels)
    ]


STREAMS = [0, 0, 1, 1, 2, 2, 3, 3]
LABELS = [0, 1, 0, 2, 1, 1, 2, 2]


def test_loss_per_branch_and_gradients():
    torch.manual_seed(0)
    model = _model()
    x = torch.randn(8, 3, 16, 16)
    x[5], x[7] = x[4], x[6] + 0.01  # positives with cosine > 0
    # the reference before the heads' t moves: the embeddings of the
    # batch, split by hand into the streams (0, 1 easy and 2, 3 hard
    # classification; pairs 4-5 easy, 6-7 hard), a fresh loss and heads
    reference = copy.deepcopy(model)
    losses = model.loss(x, _samples(STREAMS, LABELS))
    assert {
        'easy_loss', 'hard_loss', 'loss_ddl', 'ddl_kl_pos', 'ddl_kl_neg',
        'ddl_order'
    } <= set(losses)
    feats = reference.embed(x)
    terms = DistributionDistillationLoss().loss_terms(
        [feats[[0, 1]], feats[[2, 3]]], [feats[[4]], feats[[6]]],
        [feats[[5]], feats[[7]]])
    for key in ('kl_pos', 'kl_neg', 'order'):
        torch.testing.assert_close(losses[f'ddl_{key}'], terms[key].detach(),
                                   rtol=1e-5, atol=1e-12)
    # the paper's weights: 0.1 KL+, 0.02 KL-, 0.5 order
    torch.testing.assert_close(
        losses['loss_ddl'], 0.1 * terms['kl_pos'] + 0.02 * terms['kl_neg'] +
        0.5 * terms['order'])
    for name, head, idx in (('easy', reference.head, [0, 1]),
                            ('hard', reference.hard_head, [2, 3])):
        expected = head.loss((feats[idx], ),
                             _samples([0, 0], [LABELS[i] for i in idx]))
        torch.testing.assert_close(losses[f'{name}_loss'], expected['loss'])
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert model.hard_head.norm_product.weight.grad.abs().sum() > 0
    assert model.head.norm_product.weight.grad.abs().sum() > 0
    assert model.hard_head is not model.head


def test_loss_errors():
    model = _model()
    x = torch.randn(8, 3, 16, 16)
    with pytest.raises(ValueError, match='no hard_pair sample'):
        model.loss(x, _samples([0, 0, 1, 1, 2, 2, 2, 2], LABELS))
    with pytest.raises(ValueError, match='same-identity pairs'):
        model.loss(x, _samples(STREAMS, [0, 1, 0, 2, 1, 0, 2, 2]))
    with pytest.raises(KeyError, match='ddl_stream'):
        model.loss(x, [DataSample().set_gt_label(0) for _ in range(8)])


def test_hard_head_starts_from_loaded_head(monkeypatch):
    from projects.ddl import ddl_face_recognizer
    logged = []
    monkeypatch.setattr(ddl_face_recognizer, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    torch.manual_seed(0)
    face = MODELS.build(
        dict(type='FaceRecognizer',
             backbone=dict(type='IResNet',
                           arch='tiny',
                           input_size=16,
                           embedding_dim=8),
             head=HEAD))
    face.head.t.fill_(0.25)
    model = _model()
    load_state_dict(model, face.state_dict())
    assert torch.equal(model.hard_head.norm_product.weight,
                       face.head.norm_product.weight)
    assert torch.equal(model.hard_head.t, face.head.t)
    # logged once, with the number of head entries copied (weight and t)
    assert logged == ['DDLFaceRecognizer: hard_head starts from the 2 '
                      'head.* entries of the loaded checkpoint']
    # A DDL checkpoint keeps its own hard head.
    other = _model()
    load_state_dict(other, model.state_dict())
    assert torch.equal(other.hard_head.norm_product.weight,
                       model.hard_head.norm_product.weight)
    off = _model(hard_head_from_head=False)
    before = off.hard_head.norm_product.weight.clone()
    load_state_dict(off, face.state_dict())
    assert torch.equal(off.hard_head.norm_product.weight, before)
    assert len(logged) == 1  # neither of these copied anything


def _train(work_dir: Path, data: Path, iters: int, *extra: str) -> None:
    options = [
        f'train_dataloader.dataset.data_root={data}/',
        f'train_dataloader.dataset.split_file={data}/split.txt',
        f'val_dataloader.dataset.ann_file={data}/val_hard.bin',
        f'test_dataloader.dataset.ann_file={data}/val_hard.bin',
        'load_from=None', 'model.head.num_classes=5',
        'data_preprocessor.num_classes=5', 'model.backbone.input_size=16',
        'train_dataloader.sampler.num_ids=3',
        'train_dataloader.sampler.num_pairs=2',
        'train_dataloader.batch_size=14', f'train_cfg.max_iters={iters}',
        'train_cfg.val_interval=4', 'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1'
    ]
    proc = subprocess.run([
        sys.executable, 'tools/train.py', CFG, '--work-dir',
        str(work_dir), *extra, '--cfg-options', *options
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_demo_config_trains_and_resumes_exactly(tmp_path, faces,
                                                assert_same_checkpoint):
    log = _train(tmp_path / 'straight', faces, 4)
    assert 'loss_ddl' in log and 'verification/accuracy' in log
    # Resume from the iteration-2 checkpoint into a fresh work dir.
    _train(tmp_path / 'cut', faces, 4, '--resume',
           str(tmp_path / 'straight' / 'iter_2.pth'))
    a = torch.load(tmp_path / 'straight' / 'iter_4.pth', weights_only=False)
    b = torch.load(tmp_path / 'cut' / 'iter_4.pth', weights_only=False)
    assert 'hard_head.t' in a['state_dict']
    assert a['state_dict']['hard_head.t'].item() != 0.0
    # bit for bit: weights and both heads' t, the SGD momenta, the
    # scheduler and the generator states (flip augmentation is on)
    assert a['optimizer']['state'], 'no SGD momentum saved'
    assert_same_checkpoint(b, a)
