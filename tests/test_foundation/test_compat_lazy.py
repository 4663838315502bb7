# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""``import projects`` stays light and still fixes mmengine's loader.

Each case runs in a fresh interpreter (``fresh_python``), since the import
order is the point.
"""


def test_import_projects_imports_no_torch_or_mmengine(fresh_python):
    code = ('import sys, projects; '
            'print(sorted(m for m in sys.modules '
            "if m.split('.')[0] in ('torch', 'mmengine')))")
    assert fresh_python(code).stdout.strip() == '[]'


def test_loader_is_patched_when_mmengine_is_imported_later(fresh_python):
    code = ('import projects\n'
            'from mmengine.runner import CheckpointLoader\n'
            'import mmengine.runner.checkpoint as ckpt\n'
            'from projects.compat import _load_from_local\n'
            "print(CheckpointLoader._schemes[''] is _load_from_local,\n"
            '      type(ckpt.__loader__).__name__)')
    assert fresh_python(code).stdout.strip() == 'True SourceFileLoader'


def test_loader_is_patched_when_mmengine_was_imported_first(fresh_python):
    code = ('from mmengine.runner import CheckpointLoader\n'
            "before = CheckpointLoader._schemes['']\n"
            'import projects\n'
            'from projects.compat import _load_from_local\n'
            "print(before is _load_from_local,\n"
            "      CheckpointLoader._schemes[''] is _load_from_local)")
    assert fresh_python(code).stdout.strip() == 'False True'
