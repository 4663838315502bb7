# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generated shape images the NAD tests run on; one torch thread."""
import importlib.util
from pathlib import Path

import pytest
import torch

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


@pytest.fixture(autouse=True)
def _one_thread():
    """The NAD tests' networks are tiny: one thread runs them fastest (and
    avoids OpenMP spinning when the cores are busy)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
