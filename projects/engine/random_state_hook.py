# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Keep the random number generators in checkpoints, for exact resume."""
import random
from typing import Any, Dict, Optional

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS
from mmengine.runner import IterBasedTrainLoop

_KEY = 'random_states'


def _capture() -> Dict[str, Any]:
    states = dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states['cuda'] = torch.cuda.get_rng_state_all()
    return states


def _restore(states: Dict[str, Any]) -> None:
    random.setstate(states['python'])
    np.random.set_state(states['numpy'])
    torch.set_rng_state(states['torch'])
    if 'cuda' in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states['cuda'])


class _RestoreAfterSkip:
    """Wraps the iter-based loop's data iterator: after the ``skip`` batches
    that mmengine re-draws on resume, restore the saved generators, so the
    next batch is drawn exactly as in the uninterrupted run."""

    def __init__(self, iterator, skip: int, states: Dict[str, Any]) -> None:
        self.iterator = iterator
        self.skip = skip
        self.states: Optional[Dict[str, Any]] = states

    def __iter__(self):
        return self

    def __next__(self):
        if self.skip == 0 and self.states is not None:
            _restore(self.states)
            self.states = None
        self.skip -= 1
        return next(self.iterator)


@HOOKS.register_module()
class RandomStateCheckpointHook(Hook):
    """Save the Python, NumPy and PyTorch (CPU and CUDA) generator states in
    every checkpoint and restore them when training resumes.

    mmengine 0.10.7 checkpoints weights, optimizer, schedulers and the seed,
    but not the generators' states, so random data augmentation and dropout
    draw different numbers after ``--resume`` than in an uninterrupted run.
    The states are restored right before the first new batch is drawn (after
    the batches that the iteration-based loop re-draws to skip, or at the
    start of the next epoch), where the uninterrupted run was when it saved.
    Augmentation in data-loader worker processes is seeded by mmengine per
    worker and is not covered; use ``num_workers=0`` where bit-exact resume
    matters. ``tools/train.py`` adds this hook to every run.
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._pending: Optional[Dict[str, Any]] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})[_KEY] = _capture()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        states = checkpoint.get('meta', {}).get(_KEY)
        if states is None:
            print_log('The checkpoint has no random states: resumed data '
                      'augmentation will not repeat the original run.',
                      logger='current')
        self._pending = states

    def before_train_epoch(self, runner) -> None:
        if self._pending is None:
            return
        loop = runner.train_loop
        if isinstance(loop, IterBasedTrainLoop):
            loop.dataloader_iterator = _RestoreAfterSkip(
                loop.dataloader_iterator, loop.iter, self._pending)
        else:
            _restore(self._pending)
        self._pending = None
