# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The demo config trains through tools/train.py on generated scenes with
the AR pass and the stage switch, validates (EPE), and resumes exactly:
weights, Adam states and the loss stage."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
CFG = ('configs/arflow/'
       'arflow_pwclite-ar_1xb4-800it_flow-chairs-demo-64x128.py')


@pytest.fixture(scope='module')
def data(tmp_path_factory, load_tool) -> Path:
    root = tmp_path_factory.mktemp('flow_chairs')
    load_tool('tools/misc/make_flow_pairs.py').write_chairs(
        str(root), 3, 2, 64, 64, seed=0)
    return root


def _train(work_dir: Path, data: Path, *extra: str) -> str:
    options = [
        f'{loader}.dataset.data_root={data}/'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
    ] + [
        'model.flow_net.output_level=3', 'train_dataloader.batch_size=1',
        'val_dataloader.batch_size=2', 'train_cfg.max_iters=3',
        'train_cfg.val_interval=3', 'custom_hooks.0.switch_iter=1',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1'
    ]
    # One thread: bit-exact across processes on a shared, loaded machine.
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', CFG, '--work-dir',
         str(work_dir), *extra, '--cfg-options', *options],
        cwd=REPO, capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _ckpt(path: Path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


def test_demo_trains_validates_and_resumes_exactly(tmp_path, data,
                                                   assert_same_checkpoint):
    straight = tmp_path / 'straight'
    logs = _train(straight, data)
    assert 'EPE' in logs and 'loss_ar' in logs and 'stage 2 from iter 1' in logs
    assert 'EPE_ratio' in logs
    assert _ckpt(straight / 'iter_1.pth')['state_dict'][
        'loss_func.stage'].item() == 1
    final = _ckpt(straight / 'iter_3.pth')
    assert final['state_dict']['loss_func.stage'].item() == 2
    resumed = tmp_path / 'resumed'
    resumed.mkdir()
    shutil.copy(straight / 'iter_2.pth', resumed / 'iter_2.pth')
    _train(resumed, data, '--resume', str(resumed / 'iter_2.pth'))
    again = _ckpt(resumed / 'iter_3.pth')
    # weights, Adam moments, schedulers, iteration and generator states
    assert_same_checkpoint(again, final)
    assert again['optimizer']['state']
