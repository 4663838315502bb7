# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The DGD demo config trains through tools/train.py (grafting + online
distillation) and resumes exactly: 2 epochs == 1 epoch + resume to 2."""
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
CFG = 'configs/dgd/dgd-demo-dgd_resnet20-tiny_2peers-4e_toy-cls.py'


@pytest.fixture(scope='module')
def data(tmp_path_factory) -> Path:
    path = REPO / 'tools' / 'misc' / 'make_toy_data.py'
    spec = importlib.util.spec_from_file_location('make_toy_data', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = tmp_path_factory.mktemp('toy')
    module.make_cls(str(root), np.random.default_rng(0), per_class=2)
    return root / 'cls'


def _train(work_dir: Path, data: Path, *extra: str) -> str:
    options = [
        f'train_dataloader.dataset.data_root={data}/',
        f'val_dataloader.dataset.data_root={data}/',
        f'test_dataloader.dataset.data_root={data}/',
        'train_dataloader.batch_size=4', 'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2', 'model.classifier.backbone.depth=20',
        'model.classifier.backbone.base_channels=2',
        'model.classifier.backbone.stem_channels=2',
        'model.classifier.head.in_channels=8'
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


def _ckpt(path: Path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


def test_demo_grafts_distils_and_resumes_exactly(tmp_path, data):
    straight = tmp_path / 'straight'
    logs = _train(straight, data)
    assert 'FilterGraftingHook: graft 2' in logs and 'peer1.loss_kd' in logs
    assert 'accuracy/top1' in logs
    final = _ckpt(straight / 'epoch_2.pth')
    assert final['dgd_grafting']['num_grafts'] == 2
    weights = final['state_dict']
    # with N = 2, alpha_1 = 1 - alpha_0 (arctan is odd): a graft makes the
    # two peers equal; they diverge again through their different lrs
    torch.testing.assert_close(weights['peers.0.backbone.conv1.weight'],
                               weights['peers.1.backbone.conv1.weight'])
    first = _ckpt(straight / 'epoch_1.pth')['state_dict']
    assert not torch.equal(first['peers.0.head.fc.weight'],
                           weights['peers.0.head.fc.weight'])

    resumed = tmp_path / 'resumed'
    resumed.mkdir()
    shutil.copy(straight / 'epoch_1.pth', resumed / 'epoch_1.pth')
    _train(resumed, data, '--resume', str(resumed / 'epoch_1.pth'))
    again = _ckpt(resumed / 'epoch_2.pth')
    assert again['dgd_grafting'] == final['dgd_grafting']
    for key, value in weights.items():
        torch.testing.assert_close(again['state_dict'][key],
                                   value,
                                   rtol=1e-5,
                                   atol=1e-6)
