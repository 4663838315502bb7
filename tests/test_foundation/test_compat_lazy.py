# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""``import projects`` stays light and still fixes mmengine's loader.

Each case runs in a fresh interpreter, since the import order is the point.
"""
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, '-c', code],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_import_projects_imports_no_torch_or_mmengine():
    out = _run('import sys, projects; '
               'print(sorted(m for m in sys.modules '
               "if m.split('.')[0] in ('torch', 'mmengine')))")
    assert out == '[]'


def test_loader_is_patched_when_mmengine_is_imported_later():
    out = _run('import projects\n'
               'from mmengine.runner import CheckpointLoader\n'
               'import mmengine.runner.checkpoint as ckpt\n'
               'from projects.compat import _load_from_local\n'
               "print(CheckpointLoader._schemes[''] is _load_from_local,\n"
               '      type(ckpt.__loader__).__name__)')
    assert out == 'True SourceFileLoader'


def test_loader_is_patched_when_mmengine_was_imported_first():
    out = _run('from mmengine.runner import CheckpointLoader\n'
               "before = CheckpointLoader._schemes['']\n"
               'import projects\n'
               'from projects.compat import _load_from_local\n'
               "print(before is _load_from_local,\n"
               "      CheckpointLoader._schemes[''] is _load_from_local)")
    assert out == 'False True'
