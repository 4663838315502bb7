# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The generated colour set the DGD training tests run on."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope='session')
def toy_cls(tmp_path_factory) -> Path:
    """2 images per class and split (``train``/``val``) of the toy set."""
    path = REPO / 'tools' / 'misc' / 'make_toy_data.py'
    spec = importlib.util.spec_from_file_location('make_toy_data', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = tmp_path_factory.mktemp('toy')
    module.make_cls(str(root), np.random.default_rng(0), per_class=2)
    return root / 'cls'
