# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The detector and matcher demo configs train through tools/train.py on
generated palms, evaluate, and resume exactly (weights and optimizer
state equal to a straight run)."""
import shutil
import subprocess
import sys
from pathlib import Path

import torch

from .conftest import REPO, SUBPROCESS_ENV

DET = 'configs/deepmpv/deepmpv_tiny-yolov3-w0.25_1xb8-600it_palms-demo.py'


def _train(cfg: str, work_dir: Path, options: list, *extra: str) -> str:
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', cfg, '--work-dir',
         str(work_dir), *extra, '--cfg-options', *options],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env=SUBPROCESS_ENV)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _ckpt(path: Path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


def _assert_equal_states(a: dict, b: dict) -> None:
    assert set(a['state_dict']) == set(b['state_dict'])
    for key, value in a['state_dict'].items():
        assert torch.equal(b['state_dict'][key], value), key
    opt_a, opt_b = a['optimizer']['state'], b['optimizer']['state']
    assert opt_a.keys() == opt_b.keys() and opt_a
    for idx, state in opt_a.items():
        for name, value in state.items():
            other = opt_b[idx][name]
            assert torch.equal(torch.as_tensor(other),
                               torch.as_tensor(value)), (idx, name)


def _train_and_resume(cfg: str, tmp_path: Path, options: list) -> str:
    straight = tmp_path / 'straight'
    logs = _train(cfg, straight, options)
    resumed = tmp_path / 'resumed'
    resumed.mkdir()
    shutil.copy(straight / 'iter_2.pth', resumed / 'iter_2.pth')
    _train(cfg, resumed, options + ['train_cfg.val_interval=100'],
           '--resume', str(resumed / 'iter_2.pth'))
    _assert_equal_states(_ckpt(straight / 'iter_4.pth'),
                         _ckpt(resumed / 'iter_4.pth'))
    return logs


def test_detector_demo_trains_evaluates_and_resumes_exactly(
        tmp_path, palm_root):
    options = [
        f'{loader}.dataset.data_root={palm_root}/'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
    ] + [
        'train_dataloader.batch_size=2', 'val_dataloader.batch_size=16',
        'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1'
    ]
    logs = _train_and_resume(DET, tmp_path, options)
    assert 'loss_xy' in logs and 'palm_points/gap_recall' in logs
    assert 'palm_points/roi_rate' in logs


REC = ('configs/deepmpv/'
       'deepmpv_mobilefacenet-tiny-64_arcface_1xb32-400it_palms-demo.py')


def test_matcher_demo_trains_evaluates_and_resumes_exactly(
        tmp_path, roi_root):
    options = [
        f'{loader}.dataset.{key}={value}'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
        for key, value in (('data_root', f'{roi_root}/'),
                           ('test_subjects', 2))
    ] + [
        # 2 train subjects x 2 hands
        'model.head.num_classes=4', 'data_preprocessor.num_classes=4',
        f'val_evaluator.roc_file={tmp_path}/roc.png',
        f'val_evaluator.score_file={tmp_path}/scores.png',
        'train_dataloader.batch_size=4', 'train_cfg.max_iters=4',
        'train_cfg.val_interval=4', 'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1'
    ]
    logs = _train_and_resume(REC, tmp_path, options)
    assert 'palm/EER' in logs and 'palm/TAR@FAR=1e-04' in logs
    assert 'palm/threshold' in logs and 'palm/FAR@fixed' in logs
    assert (tmp_path / 'roc.png').stat().st_size > 1000
    assert (tmp_path / 'scores.png').stat().st_size > 1000
