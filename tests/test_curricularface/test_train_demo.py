# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The demo config trains through tools/train.py, evaluates verification
and resumes exactly, t included."""
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
CFG = ('configs/curricularface/'
       'curricularface_iresnet-tiny_1xb32-300it_face-identities-demo.py')


def _generator():
    path = REPO / 'tools' / 'misc' / 'make_face_identities.py'
    spec = importlib.util.spec_from_file_location('make_face_ids', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _train(work_dir: Path, data: Path, *extra: str, val_interval: int) -> str:
    options = [
        f'train_dataloader.dataset.data_root={data}/',
        f'val_dataloader.dataset.ann_file={data}/val.bin',
        f'test_dataloader.dataset.ann_file={data}/val.bin',
        f'val_evaluator.roc_file={work_dir}/roc.png',
        'model.head.num_classes=4', 'data_preprocessor.num_classes=4',
        'model.backbone.input_size=16', 'train_dataloader.batch_size=8',
        'train_cfg.max_iters=4', f'train_cfg.val_interval={val_interval}',
        'default_hooks.checkpoint.interval=2',
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


@pytest.fixture(scope='module')
def data(tmp_path_factory) -> Path:
    gen = _generator()
    root = tmp_path_factory.mktemp('faces')
    gen.write_train(str(root), num_ids=4, per_id=4, seed=0, size=16)
    gen.write_pairs(
        str(root),
        gen.make_pairs([4, 5, 6], 20, seed=0),
        seed=0,
        size=16,
        lfw=False)
    return root


def _ckpt(path: Path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


def test_demo_trains_evaluates_and_resumes_exactly(tmp_path, data,
                                                   assert_same_checkpoint):
    straight = tmp_path / 'straight'
    logs = _train(straight, data, val_interval=4)
    assert 'verification/accuracy' in logs and 'TAR@FAR=1e-01' in logs
    assert (straight / 'roc.png').stat().st_size > 1000
    final = _ckpt(straight / 'iter_4.pth')['state_dict']
    half = _ckpt(straight / 'iter_2.pth')['state_dict']
    assert 0 < half['head.t'].item() < final['head.t'].item() < 0.01 * 4

    resumed = tmp_path / 'resumed'
    resumed.mkdir()
    shutil.copy(straight / 'iter_2.pth', resumed / 'iter_2.pth')
    # no validation here: it does not change the training state
    _train(
        resumed,
        data,
        '--resume',
        str(resumed / 'iter_2.pth'),
        val_interval=100)
    # bit for bit: weights and t, optimizer, schedulers, generators
    assert_same_checkpoint(_ckpt(resumed / 'iter_4.pth'),
                           _ckpt(straight / 'iter_4.pth'))
