# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generated shape images the NAD tests run on."""
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shapes_module():
    """``tools/misc/make_nad_shapes.py`` as a module."""
    path = REPO / 'tools' / 'misc' / 'make_nad_shapes.py'
    spec = importlib.util.spec_from_file_location('make_nad_shapes', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def shapes(tmp_path_factory) -> Path:
    """6 training and 3 validation 32 px images per shape class."""
    root = tmp_path_factory.mktemp('nad_shapes')
    shapes_module().make_shapes(str(root), train=6, val=3, size=32, seed=0)
    return root
