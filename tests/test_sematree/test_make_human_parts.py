# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The human-figure generator: LIP ids only, the person's left on the
image's right, bad sizes refused."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def _generator():
    path = REPO / 'tools' / 'misc' / 'make_human_parts.py'
    spec = importlib.util.spec_from_file_location('make_human_parts', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_figures_use_lip_ids_with_left_on_image_right():
    gen = _generator()
    rng = np.random.default_rng(0)
    for _ in range(5):
        img, label = gen.draw_figure(64, rng)
        assert img.shape == (64, 64, 3) and label.shape == (64, 64)
        assert set(np.unique(label)) <= {0, 2, 5, 9, 13, 14, 15, 16, 17, 18,
                                         19}
        cols = np.arange(64)[None].repeat(64, 0)
        for left, right in ((16, 17), (18, 19)):
            assert cols[label == left].mean() > cols[label == right].mean()


def test_write_split_and_bad_size(tmp_path):
    gen = _generator()
    gen.write_split(str(tmp_path), 'val', 2, 32, seed=0)
    assert len(list((tmp_path / 'images' / 'val').glob('*.jpg'))) == 2
    assert len(list((tmp_path / 'annotations' / 'val').glob('*.png'))) == 2
    with pytest.raises(ValueError, match='--size must be at least 32'):
        gen.draw_figure(16, np.random.default_rng(0))
