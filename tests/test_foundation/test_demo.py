# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The main job (tools/demo.py) and the toy demo (tools/toy_demo.py) run end
to end at test size: data generation, training, the time-budget stop and its
checkpoint, evaluation, the leaderboard row and the picture."""
import re
import subprocess
import sys
from pathlib import Path
from typing import Tuple

import cv2
import pytest
import torch

REPO = Path(__file__).resolve().parents[2]


def _run(args, cwd, timeout=400) -> Tuple[str, str]:
    """Run a tool; return its stdout and stdout + stderr."""
    proc = subprocess.run([sys.executable, *args],
                          cwd=cwd,
                          capture_output=True,
                          text=True,
                          timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]
    return proc.stdout, out


def test_demo_runs_end_to_end_and_stops_on_its_budget(tmp_path):
    data, work = tmp_path / 'faces', tmp_path / 'work'
    # A budget of 0.06 s is spent by the first iteration, before the 3
    # iterations that --max-iters allows.
    stdout, out = _run([
        str(REPO / 'tools' / 'demo.py'), '--data-root',
        str(data), '--work-dir',
        str(work), '--max-iters', '3', '--budget-min', '0.001',
        '--num-train', '8', '--num-val', '3'
    ], tmp_path)
    # data generation
    assert len((data / 'train_list.txt').read_text().split()) == 8
    assert len((data / 'val_list.txt').read_text().split()) == 3
    # the budget stop and the checkpoint the demo saves itself
    assert 'budget of 0.06 s spent after 1 iterations; stopping' in out
    assert sorted(p.name for p in work.glob('*.pth')) == ['iter_1.pth']
    ckpt = torch.load(work / 'iter_1.pth', map_location='cpu',
                      weights_only=False)
    assert ckpt['meta']['iter'] == 1 and 'optimizer' in ckpt
    # AP50 on the 3 held-out images, printed and in the leaderboard row
    assert 'Results on the held-out split (3 images):' in stdout
    ap50 = float(re.search(r'icartoonface/AP50: ([0-9.]+)', stdout)[1])
    assert 0.0 <= ap50 <= 1.0
    table = stdout.split('Leaderboard row:\n')[1].splitlines()
    assert table[0].startswith('| name | icartoonface/AP50 |')
    assert table[0].rstrip().endswith('| params (M) | GFLOPs@160x160 |')
    row = [c.strip() for c in table[2].strip('|').split('|')]
    assert row[0] == 'ACFD tiny (1 iters, CPU)'
    assert float(row[1]) == pytest.approx(ap50, abs=1e-4)
    params = sum(v.numel() for k, v in ckpt['state_dict'].items()
                 if not k.endswith(('running_mean', 'running_var',
                                    'num_batches_tracked')))
    assert float(row[-2]) == pytest.approx(params / 1e6, abs=1e-4)
    assert float(row[-1]) > 0
    # the picture: 3 validation images side by side, 320 x 320 each
    picture = cv2.imread(str(work / 'demo_detections.png'))
    assert picture.shape == (320, 3 * 320, 3)
    # the closing output is the results, not the complexity counter's
    # warnings about operators it does not count
    assert 'Unsupported operator' not in out
    assert stdout.rstrip().splitlines()[-1] == (
        f'Checkpoint: {work / "iter_1.pth"}')


def test_toy_demo_runs_the_three_toolboxes(tmp_path):
    stdout, _ = _run([
        str(REPO / 'tools' / 'toy_demo.py'), '--data-root',
        str(tmp_path / 'toy'), '--work-dir',
        str(tmp_path / 'work'), '--max-iters', '2'
    ], tmp_path)
    for sub in ('cls', 'det', 'seg'):
        assert (tmp_path / 'toy' / sub).is_dir()
    rows = stdout.strip().splitlines()[-3:]
    expected = {
        'mmpretrain': 'accuracy/top1: ',
        'mmdet': 'coco/bbox_mAP: ',
        'mmseg': 'mIoU: '
    }
    for row, (toolbox, metric) in zip(rows, expected.items()):
        assert row.startswith(f'| {toolbox} | configs/toy/')
        assert metric in row
        assert (tmp_path / 'work' / toolbox / 'iter_2.pth').is_file()


def test_time_budget_hook_stops_once_the_budget_is_spent(monkeypatch):
    from types import SimpleNamespace

    from projects.engine import TrainTimeBudgetHook
    from projects.engine import time_budget_hook
    with pytest.raises(ValueError, match='budget_s must be positive'):
        TrainTimeBudgetHook(0)
    clock = [100.0]
    monkeypatch.setattr(time_budget_hook.time, 'monotonic', lambda: clock[0])
    hook = TrainTimeBudgetHook(budget_s=5)
    runner = SimpleNamespace(iter=0,
                             train_loop=SimpleNamespace(stop_training=False))
    hook.before_train(runner)
    clock[0] = 104.9  # 4.9 s into training: keep going
    hook.after_train_iter(runner, 0)
    assert not runner.train_loop.stop_training
    clock[0], runner.iter = 105.0, 1  # the budget is spent
    hook.after_train_iter(runner, 1)
    assert runner.train_loop.stop_training
