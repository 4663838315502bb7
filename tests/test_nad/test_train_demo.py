# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The NAD demo classifier trains through tools/train.py on the generated
shapes and resumes exactly (weights and optimizer state)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[2]
CFG = 'configs/nad/nad_resnet18-tiny_shapes-demo.py'


def _train(work_dir: Path, data: Path, *extra: str) -> str:
    options = [
        f'{loader}.dataset.data_root={data}/'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ] + [
        'train_dataloader.batch_size=8', 'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1', 'param_scheduler.0.T_max=2'
    ]
    proc = subprocess.run([
        sys.executable, 'tools/train.py', CFG, '--work-dir',
        str(work_dir), *extra, '--cfg-options', *options
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=600,
                          env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _load(path: Path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


def test_demo_classifier_trains_and_resumes_exactly(tmp_path, shapes):
    straight = tmp_path / 'straight'
    logs = _train(straight, shapes)
    assert 'accuracy/top1' in logs
    final = _load(straight / 'epoch_2.pth')
    resumed = tmp_path / 'resumed'
    resumed.mkdir()
    shutil.copy(straight / 'epoch_1.pth', resumed / 'epoch_1.pth')
    _train(resumed, shapes, '--resume', str(resumed / 'epoch_1.pth'))
    again = _load(resumed / 'epoch_2.pth')
    assert again['state_dict'].keys() == final['state_dict'].keys()
    for key, value in final['state_dict'].items():
        assert torch.equal(again['state_dict'][key], value), key
    state, state_again = final['optimizer']['state'], again['optimizer'][
        'state']
    assert state.keys() == state_again.keys() and state
    for key in state:
        assert torch.equal(state[key]['momentum_buffer'],
                           state_again[key]['momentum_buffer'])
    assert final['param_schedulers'] == again['param_schedulers']
