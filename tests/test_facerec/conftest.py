# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""A tiny generated identity set shared by the face-recognition tests."""
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def load_generator():
    """tools/misc/make_face_identities.py as a module."""
    path = REPO / 'tools' / 'misc' / 'make_face_identities.py'
    spec = importlib.util.spec_from_file_location('make_face_identities', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def face_generator():
    """The generator module (tools/misc/make_face_identities.py)."""
    return load_generator()


@pytest.fixture(scope='session')
def face_root(tmp_path_factory) -> Path:
    """4 identities x 4 images, 20 pairs of 4 held-out identities, 16 px."""
    gen = load_generator()
    root = tmp_path_factory.mktemp('faces')
    gen.write_train(str(root), num_ids=4, per_id=4, seed=0, size=16)
    pairs = gen.make_pairs([4, 5, 6, 7], num_pairs=20, seed=0)
    gen.write_pairs(str(root), pairs, seed=0, size=16, lfw=True)
    return root
