# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""tools/misc/dgd_demo.py runs its variants through tools/train.py and
prints one table row per variant, the offline variant distilling from the
baseline run's checkpoint."""
import math
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_demo_tool_prints_a_row_per_variant(tmp_path, toy_cls):
    work_dir = tmp_path / 'work'
    proc = subprocess.run([
        sys.executable, 'tools/misc/dgd_demo.py', '--data',
        str(toy_cls.parent), '--work-dir',
        str(work_dir), '--epochs', '1', '--variants', 'baseline',
        'offline-distillation'
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=500)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    rows = re.findall(r'^\| (\S+) \| (\S+) \| (\d+)/(\d+) \| (\S+) \|$',
                      proc.stdout, re.M)
    assert [r[0] for r in rows] == ['baseline', 'offline-distillation']
    for _, top1, invalid, filters, entropy in rows:
        assert 0.0 <= float(top1) <= 100.0
        assert 0 <= int(invalid) <= int(filters) and int(filters) > 0
        assert math.isfinite(float(entropy)) and float(entropy) > 0
    # The offline run was given the baseline's last checkpoint as teacher.
    assert (work_dir / 'baseline' / 'epoch_1.pth').is_file()
    assert (work_dir / 'offline-distillation' / 'epoch_1.pth').is_file()
