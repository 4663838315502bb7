# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Fixtures shared by every test module."""
import os
import socket
from pathlib import Path
from typing import Callable

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _shared_data_dir() -> Path:
    """``../shared/data`` beside the checkout, or ``$MM_PAPER_PLUGINS_SHARED_DATA``."""
    override = os.environ.get('MM_PAPER_PLUGINS_SHARED_DATA')
    if override:
        return Path(override)
    return REPO_ROOT.parent / 'shared' / 'data'


@pytest.fixture(scope='session')
def repo_root() -> Path:
    """The repository root (where ``tools/`` and ``configs/`` live)."""
    return REPO_ROOT


@pytest.fixture(scope='session')
def shared_data() -> Path:
    """The shared benchmark data folder; skips the test when it is absent.

    Users do not have ``../shared/data``; tests that need it skip with the
    reason instead of failing.
    """
    path = _shared_data_dir()
    if not path.is_dir():
        pytest.skip(f'shared benchmark data not found at {path} '
                    '(set MM_PAPER_PLUGINS_SHARED_DATA to its folder)')
    return path


@pytest.fixture(scope='session')
def free_port() -> Callable[[], int]:
    """A function that returns a TCP port free on 127.0.0.1 right now.

    Another process may still take it before the test binds it; the tests
    that use it start their process groups at once.
    """

    def _pick() -> int:
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            return sock.getsockname()[1]

    return _pick
