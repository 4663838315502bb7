# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generated palms shared by the DeepMPV+ tests."""
import importlib.util
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# one thread per process: the tests' subprocesses share 2 cores
SUBPROCESS_ENV = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')


def load_tool(rel_path: str, name: str):
    """A tools/ script as a module."""
    spec = importlib.util.spec_from_file_location(name, REPO / rel_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def make_palms():
    """tools/misc/make_palms.py as a module."""
    return load_tool('tools/misc/make_palms.py', 'make_palms')


@pytest.fixture(scope='session')
def palm_root(tmp_path_factory, make_palms) -> Path:
    """4 subjects (last one test) x 2 hands x 2 sessions x 2 phones x 2
    photos of 128 px: 64 photos."""
    root = tmp_path_factory.mktemp('palms')
    make_palms.write_dataset(str(root), num_subjects=4, iters=2, size=128,
                             test_subjects=1, seed=0)
    return root


@pytest.fixture(scope='session')
def roi_root(palm_root) -> Path:
    """64 px script-geometry ROIs of ``palm_root`` cut from the true
    points, in ``palm_root/roi``."""
    from projects.deepmpv.datasets import parse_mpd_name, read_point_file
    from projects.deepmpv.roi import PalmROIExtractor, write_roi_folder
    points = read_point_file(str(palm_root / 'points.txt'))
    hands = {n: parse_mpd_name(n).hand for n in points}
    written = write_roi_folder(str(palm_root / 'original'), points,
                               str(palm_root / 'roi'),
                               PalmROIExtractor(out_size=64), hands)
    assert len(written) == len(points)
    return palm_root
