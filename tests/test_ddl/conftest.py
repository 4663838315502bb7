# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""A tiny generated identity set with a degraded hard split."""
import importlib.util
from pathlib import Path

import pytest

from projects.ddl.make_hard_split import write_hard_pairs, write_train_split

REPO = Path(__file__).resolve().parents[2]


def _generator():
    path = REPO / 'tools' / 'misc' / 'make_face_identities.py'
    spec = importlib.util.spec_from_file_location('make_face_ids', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def faces(tmp_path_factory) -> Path:
    gen = _generator()
    root = tmp_path_factory.mktemp('ddl_faces')
    gen.write_train(str(root), num_ids=5, per_id=3, seed=0, size=16)
    gen.write_pairs(str(root),
                    gen.make_pairs([5, 6], 10, seed=0),
                    seed=0,
                    size=16,
                    lfw=False)
    write_train_split(str(root), seed=0)
    write_hard_pairs(str(root), seed=0)
    return root
