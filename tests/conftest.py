# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Fixtures shared by every test module."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
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


def _assert_same_tree(got: Any, expected: Any, path: str) -> None:
    """Bit-for-bit equality of nested dicts/lists of tensors and arrays."""
    import torch
    if isinstance(expected, torch.Tensor):
        assert isinstance(got, torch.Tensor), f'{path}: not a tensor'
        assert got.dtype == expected.dtype and got.shape == expected.shape, (
            f'{path}: {got.dtype}{tuple(got.shape)} != '
            f'{expected.dtype}{tuple(expected.shape)}')
        if not torch.equal(got, expected):
            diff = (got.double() - expected.double()).abs().max().item()
            raise AssertionError(f'{path}: not equal (max abs diff {diff})')
    elif isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray) and np.array_equal(
            got, expected), f'{path}: arrays differ'
    elif isinstance(expected, dict):
        assert isinstance(got, dict) and got.keys() == expected.keys(), (
            f'{path}: keys {sorted(map(str, got))} != '
            f'{sorted(map(str, expected))}')
        for key, value in expected.items():
            _assert_same_tree(got[key], value, f'{path}.{key}')
    elif isinstance(expected, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(
            expected), f'{path}: lengths differ'
        for index, (a, b) in enumerate(zip(got, expected)):
            _assert_same_tree(a, b, f'{path}[{index}]')
    else:
        assert got == expected, f'{path}: {got!r} != {expected!r}'


@pytest.fixture(scope='session')
def assert_same_checkpoint() -> Callable[..., None]:
    """A function asserting that two mmengine checkpoints hold the same
    training state, bit for bit (``torch.equal``): weights, every optimizer
    state and schedulers, and the generator states that
    ``RandomStateCheckpointHook`` saved.

    Call it as ``assert_same_checkpoint(resumed, straight, extra=(...))``
    with loaded checkpoint dicts; ``extra`` names more top-level keys.
    """

    def _check(got: Dict[str, Any],
               expected: Dict[str, Any],
               extra: Sequence[str] = ()) -> None:
        for key in ('state_dict', 'optimizer', 'param_schedulers', *extra):
            assert (key in got) == (key in expected), f'{key} in only one'
            if key in expected:
                _assert_same_tree(got[key], expected[key], key)
        for key in ('iter', 'epoch', 'random_states',
                    'random_states_per_rank'):
            assert (key in got['meta']) == (key in expected['meta']), key
            if key in expected['meta']:
                _assert_same_tree(got['meta'][key], expected['meta'][key],
                                  f'meta.{key}')

    return _check


@pytest.fixture
def run_ranks(tmp_path) -> Callable[..., List[str]]:
    """A function that runs ``python ARGS`` as ``world_size`` gloo ranks.

    Every ``{init_method}`` in ``args`` becomes a ``file://`` rendezvous in
    the test's temporary folder (no TCP port to race for: gloo's own
    connections bind free ports). The ranks get ``RANK``, ``LOCAL_RANK``
    and ``WORLD_SIZE``; on a timeout or a failed rank every rank's process
    group is killed and the test fails with each rank's output tail.
    Returns each rank's output (stdout and stderr).
    """
    counter = [0]

    def _run(args: Sequence[str],
             world_size: int = 2,
             cwd: Path = REPO_ROOT,
             timeout: float = 300,
             env: Optional[Dict[str, str]] = None) -> List[str]:
        counter[0] += 1
        store = tmp_path / f'rendezvous_{counter[0]}'
        args = [a.replace('{init_method}', f'file://{store}') for a in args]
        procs, logs = [], []
        for rank in range(world_size):
            log = open(tmp_path / f'rank{rank}_{counter[0]}.log', 'w+')
            logs.append(log)
            procs.append(subprocess.Popen(
                [sys.executable, *args],
                cwd=cwd,
                env=dict(os.environ, **(env or {}), RANK=str(rank),
                         LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
                         PYTHONWARNINGS='ignore'),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True))
        deadline, timed_out = time.monotonic() + timeout, False
        try:
            # stop at the first failed rank: the others would wait for it
            while any(p.poll() is None for p in procs) and not any(
                    p.returncode for p in procs):
                if time.monotonic() > deadline:
                    timed_out = True
                    break
                time.sleep(0.2)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        outputs = []
        for log in logs:
            log.seek(0)
            outputs.append(log.read())
            log.close()
        failed = [r for r, p in enumerate(procs) if p.returncode != 0]
        if timed_out or failed:
            tails = '\n'.join(f'--- rank {r} (exit {p.returncode}) ---\n'
                              f'{out[-3000:]}' for r, (p, out) in enumerate(
                                  zip(procs, outputs)))
            reason = (f'did not finish within {timeout} s (killed)'
                      if timed_out else f'ranks {failed} failed')
            raise AssertionError(f'{world_size} ranks of {args[:2]} '
                                 f'{reason}:\n{tails}')
        return outputs

    return _run


_PORT_TAKEN = ('EADDRINUSE', 'Address already in use',
               'address already in use')


@pytest.fixture(scope='session')
def torchrun(free_port) -> Callable[..., subprocess.CompletedProcess]:
    """A function that runs a ``tools/dist_*.sh`` command (a list, run with
    bash) on a free port.

    The port is free when picked but may be taken before torchrun binds it:
    then the run is repeated on another port (3 tries). On a timeout the
    whole process group (torchrun and its ranks) is killed and the test
    fails saying so. Returns the finished process (stdout and stderr).
    """

    def _run(args: Sequence[str],
             cwd: Path = REPO_ROOT,
             timeout: float = 400,
             env: Optional[Dict[str, str]] = None
             ) -> subprocess.CompletedProcess:
        for _ in range(3):
            proc = subprocess.Popen(
                ['bash', *args],
                cwd=cwd,
                env=dict(os.environ, **(env or {}), PYTHON=sys.executable,
                         PORT=str(free_port())),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True)
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, err = proc.communicate()
                raise AssertionError(
                    f'{args[:2]} did not finish within {timeout} s; its '
                    f'processes were killed:\n{out[-2000:]}\n{err[-3000:]}')
            if proc.returncode == 0 or not any(m in out + err
                                               for m in _PORT_TAKEN):
                break
        return subprocess.CompletedProcess(args, proc.returncode, out, err)

    return _run


@pytest.fixture(scope='session')
def fresh_python() -> Callable[[str], subprocess.CompletedProcess]:
    """``f(code) -> CompletedProcess``: run ``code`` in a new interpreter
    from the repository root (for tests where import order is the point);
    a non-zero exit fails the test with the interpreter's stderr."""

    def _run(code: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, '-c', code],
                              cwd=REPO_ROOT,
                              capture_output=True,
                              text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc

    return _run


@pytest.fixture(scope='session')
def randomize_batch_norms() -> Callable[[Any], int]:
    """``f(model) -> count``: give every batch norm non-trivial running
    statistics and affine terms (drawn from torch's global generator), so
    that folding them into convolutions changes the weights."""
    import torch

    def _randomize(model) -> int:
        count = 0
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.data.uniform_(0.5, 1.5)
                module.bias.data.uniform_(-0.2, 0.2)
                count += 1
        return count

    return _randomize


@pytest.fixture(scope='session')
def predict_before_and_after_deploy() -> Callable[..., tuple]:
    """``f(detector, data) -> (expected, deployed, got)``: the eval-mode
    detector's predictions and those of its ``switch_to_deploy()`` copy on
    the same preprocessed batch (``rescale=False``)."""
    import copy

    import torch

    def _predict(model, data: dict) -> tuple:
        with torch.no_grad():
            expected = model.predict(data['inputs'],
                                     copy.deepcopy(data['data_samples']),
                                     rescale=False)
            deployed = copy.deepcopy(model).switch_to_deploy()
            got = deployed.predict(data['inputs'],
                                   copy.deepcopy(data['data_samples']),
                                   rescale=False)
        return expected, deployed, got

    return _predict
