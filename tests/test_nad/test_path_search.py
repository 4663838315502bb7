# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The NAD path search: per-class data, the official step, files per class
and epoch, exact resume of an interrupted run, clear errors."""
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS

import projects.nad.path_search as path_search
from projects.nad import (NADGates, NADPathSearch, class_indices, epoch_file,
                          load_epoch, nad_path_loss, saved_epochs)

from ._models import TINY_POSITIONS, tiny_classifier


def _dataset(root: Path):
    init_default_scope('mmpretrain')
    return DATASETS.build(
        dict(type='CustomDataset',
             data_root=str(root),
             data_prefix='train',
             with_label=True,
             pipeline=[
                 dict(type='LoadImageFromFile'),
                 dict(type='RandomFlip', prob=0.5, direction='horizontal'),
                 dict(type='PackInputs')
             ]))


def _engine(root: Path, work_dir: Path, **kwargs) -> NADPathSearch:
    model = tiny_classifier()
    # the original network predicts class 0 for every image: class 0's
    # batches are all correct, class 1's all skipped
    with torch.no_grad():
        model.head.fc.bias.copy_(torch.tensor([50.0, 0.0, 0.0, 0.0]))
    settings = dict(beta=0.5, lr=0.1, epochs=3, batch_size=4, seed=233)
    settings.update(kwargs)
    return NADPathSearch(model, NADGates(TINY_POSITIONS), _dataset(root),
                         str(work_dir), **settings)


def test_class_filter_and_empty_class(shapes):
    dataset = _dataset(shapes)
    idx = class_indices(dataset, 2)
    assert len(idx) == 6
    assert all(dataset.get_data_info(i)['gt_label'] == 2 for i in idx)
    with pytest.raises(ValueError,
                       match='class 7 has no image in '
                       'CustomDataset'):
        class_indices(dataset, 7)


def test_step_is_the_official_update(shapes, tmp_path):
    engine = _engine(shapes, tmp_path)
    engine.gates.reset(torch.Generator().manual_seed(0))
    subset = torch.utils.data.Subset(engine.dataset,
                                     class_indices(engine.dataset, 0)[:4])
    batch = pseudo_collate([subset[i] for i in range(4)])
    before = [m.detach().clone() for m in engine.gates.masks()]
    # by hand: original pass, gated pass, loss, gradient, normalised step
    model, gates = engine.model, engine.gates
    inputs = model.data_preprocessor(batch, False)['inputs']
    with torch.no_grad():
        gates.mode = 'off'
        model(inputs, mode='tensor')
        orig = [gates.activations[n].clone() for n in gates.positions]
    gates.mode = 'search'
    masks = [m.detach().clone().requires_grad_() for m in before]
    acts = []
    gates.detach()
    x = model.backbone.maxpool(
        model.backbone.relu(model.backbone.norm1(
            model.backbone.conv1(inputs))))
    x = x * torch.sigmoid(masks[0])
    acts.append(x)
    i = 1
    for layer in (model.backbone.layer1, model.backbone.layer2):
        for block in layer:
            x = block(x) * torch.sigmoid(masks[i])
            acts.append(x)
            i += 1
    logits = model.head.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))
    labels = torch.zeros(4, dtype=torch.long)
    loss = nad_path_loss(logits, labels, acts, orig, torch.arange(4), masks,
                         0.5)['loss']
    grads = torch.autograd.grad(loss, masks)
    expected = [m - 0.1 * g / g.norm() for m, g in zip(before, grads)]
    gates.attach(model)
    losses = engine.step(batch, 0)
    assert losses['loss'] == pytest.approx(loss.item(), rel=1e-5)
    for got, want in zip(engine.gates.masks(), expected):
        torch.testing.assert_close(got.detach(), want, rtol=1e-5, atol=1e-6)
        assert got.grad is None


def _files(work_dir: Path) -> dict:
    return {
        p.relative_to(work_dir).as_posix(): load_epoch(str(p))
        for p in sorted(work_dir.rglob('*.pth'))
    }


def test_search_saves_each_epoch_and_resumes_exactly(shapes, tmp_path,
                                                     monkeypatch):
    straight = tmp_path / 'straight'
    _engine(shapes, straight).run([1, 0])
    files = _files(straight)
    assert sorted(files) == [
        f'class_{c:05d}/epoch_{e:03d}.pth' for c in (0, 1) for e in range(4)
    ]
    first = files['class_00001/epoch_000.pth']
    last = files['class_00001/epoch_003.pth']
    # class 1: the original never classifies it correctly, every batch is
    # skipped (counted) and its gates keep the initial draw
    assert last['stats']['skipped_batches'] == last['stats']['batches'] == 2
    for name in first['masks']:
        assert torch.equal(first['masks'][name], last['masks'][name])
    zero, three = files['class_00000/epoch_000.pth'], files[
        'class_00000/epoch_003.pth']
    assert three['stats']['skipped_batches'] == 0
    assert three['settings']['positions'] == TINY_POSITIONS
    assert not torch.equal(zero['masks']['backbone.maxpool'],
                           three['masks']['backbone.maxpool'])

    # interrupt the same run after class 0's epoch 1 was saved
    resumed = tmp_path / 'resumed'
    real_save, calls = path_search.save_epoch, []

    def _interrupting_save(path, record):
        if len(calls) == 6:
            raise KeyboardInterrupt
        calls.append(path)
        real_save(path, record)

    monkeypatch.setattr(path_search, 'save_epoch', _interrupting_save)
    with pytest.raises(KeyboardInterrupt):
        _engine(shapes, resumed).run([1, 0])
    assert saved_epochs(str(resumed), 0) == [0, 1]
    monkeypatch.setattr(path_search, 'save_epoch', real_save)
    _engine(shapes, resumed).run([1, 0])
    again = _files(resumed)
    assert sorted(again) == sorted(files)
    for key, record in files.items():
        assert record['stats'] == again[key]['stats'], key
        for name, value in record['masks'].items():
            assert torch.equal(again[key]['masks'][name], value), key

    # a finished class is skipped; other settings in the same dir refuse
    _engine(shapes, resumed).run([0])
    assert load_epoch(
        epoch_file(str(resumed), 0,
                   3))['stats'] == files['class_00000/epoch_003.pth']['stats']
    with pytest.raises(ValueError, match='use another work dir'):
        _engine(shapes, resumed, beta=0.1).run([0])


def test_search_bad_settings_and_empty_class(shapes, tmp_path):
    with pytest.raises(ValueError, match='epochs >= 1'):
        _engine(shapes, tmp_path, epochs=0)
    with pytest.raises(ValueError, match='class 9 has no image'):
        _engine(shapes, tmp_path).run([9])
