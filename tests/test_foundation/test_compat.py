# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The compatibility fixes applied on ``import projects``."""
import pickle

import numpy as np
import pytest
import torch

import projects
from projects import compat


def _mmengine_checkpoint(path) -> dict:
    """Save a checkpoint shaped like the runner's, message hub included."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('compat_test')
    hub.update_scalar('train/loss', 1.5)
    ckpt = dict(
        meta=dict(epoch=1, iter=4),
        state_dict=dict(weight=torch.arange(4.)),
        message_hub=hub.state_dict())
    torch.save(ckpt, path)
    return ckpt


def test_plain_torch_load_rejects_mmengine_checkpoints(tmp_path):
    # Why the fix exists: torch >= 2.6 refuses mmengine's HistoryBuffer.
    path = tmp_path / 'ckpt.pth'
    _mmengine_checkpoint(path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_mmengine_loads_its_checkpoints(tmp_path):
    from mmengine.runner import CheckpointLoader, load_checkpoint
    path = tmp_path / 'ckpt.pth'
    saved = _mmengine_checkpoint(path)
    loaded = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert loaded['meta'] == saved['meta']
    assert 'train/loss' in loaded['message_hub']['log_scalars']
    model = torch.nn.Module()
    model.register_buffer('weight', torch.zeros(4))
    load_checkpoint(model, str(path), map_location='cpu')
    torch.testing.assert_close(model.weight, torch.arange(4.))


def test_missing_checkpoint_names_the_file(tmp_path):
    from mmengine.runner import CheckpointLoader
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'nope.pth'))


def test_np_in1d_matches_isin():
    a = np.array([[1, 2], [3, 4]])
    b = np.array([2, 4, 9])
    np.testing.assert_array_equal(np.in1d(a, b), [False, True, False, True])
    np.testing.assert_array_equal(
        compat._in1d(a, b, invert=True), [True, False, True, False])


def test_mmpretrain_retrieval_metrics_run():
    from mmpretrain.evaluation import RetrievalAveragePrecision, RetrievalRecall
    pred = torch.tensor([[0.9, 0.8, 0.1], [0.1, 0.2, 0.9]])
    target = [torch.tensor([0]), torch.tensor([1])]
    recall = RetrievalRecall.calculate(
        pred, target, topk=(1, 2), target_indices=True)
    assert [float(r) for r in recall] == [50.0, 100.0]
    ap = RetrievalAveragePrecision.calculate(
        pred, target, topk=2, target_indices=True)
    assert float(ap) == pytest.approx(75.0)


def test_fixes_are_applied_once_and_urls_keep_mmengine_loader():
    from mmengine.runner import CheckpointLoader
    from mmengine.runner import checkpoint as mmengine_checkpoint
    projects.apply_compat_fixes()
    # local files go through the fix, URLs through mmengine's own loader
    loader = CheckpointLoader._get_checkpoint_loader
    assert loader('/tmp/model.pth') is compat._load_from_local
    assert loader('https://example.com/model.pth') is \
        mmengine_checkpoint.load_from_http
    # numpy >= 2.4 has no in1d of its own: the shim is what is there
    numpy_version = tuple(int(v) for v in np.__version__.split('.')[:2])
    if numpy_version >= (2, 4):
        assert np.in1d is compat._in1d
    else:
        assert np.in1d is not compat._in1d
    # a second call changes nothing
    in1d, schemes = np.in1d, dict(CheckpointLoader._schemes)
    projects.apply_compat_fixes()
    assert np.in1d is in1d
    assert CheckpointLoader._schemes == schemes
