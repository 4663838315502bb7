# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The demo config trains through tools/train.py on generated figures,
reports mIoU and resumes exactly."""
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
CFG = 'configs/sematree/sematree_r18-tiny_1xb4-300it_human-parts-demo.py'


def _generator():
    path = REPO / 'tools' / 'misc' / 'make_human_parts.py'
    spec = importlib.util.spec_from_file_location('make_human_parts', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('human_parts')
    gen = _generator()
    gen.write_split(str(root), 'train', 4, 64, seed=0)
    gen.write_split(str(root), 'val', 2, 64, seed=1)
    return root


def _train(work_dir: Path, data: Path, *extra: str) -> str:
    options = [
        f'{loader}.dataset.data_root={data}/'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
    ] + [
        'train_dataloader.batch_size=2', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1'
    ]
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', CFG, '--work-dir',
         str(work_dir), *extra, '--cfg-options', *options],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _state(path: Path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


def test_demo_trains_reports_miou_and_resumes_exactly(
        tmp_path, data, assert_same_checkpoint):
    straight = tmp_path / 'straight'
    logs = _train(straight, data)
    assert 'mIoU' in logs and 'decode.loss_leaf' in logs
    resumed = tmp_path / 'resumed'
    resumed.mkdir()
    shutil.copy(straight / 'iter_1.pth', resumed / 'iter_1.pth')
    _train(resumed, data, '--resume', str(resumed / 'iter_1.pth'))
    # bit for bit (dropout on): weights, optimizer, schedulers, generators
    assert_same_checkpoint(_state(resumed / 'iter_2.pth'),
                           _state(straight / 'iter_2.pth'))
