# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Keep the random number generators in checkpoints, for exact resume."""
import logging
import random
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_dist_info
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS
from mmengine.runner import IterBasedTrainLoop

from .checkpoint_schedule import checkpoint_follows

_KEY = 'random_states'
_RANKS_KEY = 'random_states_per_rank'


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

    In distributed runs every rank's generators are kept (ranks differ with
    ``randomness.diff_rank_seed=True``): mmengine saves on rank 0 only, so
    the states are gathered in the ``after_train_iter`` /
    ``after_train_epoch`` call that saves, and on resume each rank takes its
    own back. A checkpoint written by another number of ranks restores rank
    0's states everywhere, with a warning.

    Augmentation in data-loader worker processes is seeded by mmengine per
    worker and is not covered; use ``num_workers=0`` where bit-exact resume
    matters. ``tools/train.py`` adds this hook to every run.
    """

    # after ParamSchedulerHook (LOW, 70), before CheckpointHook (VERY_LOW, 90)
    priority = 80

    def __init__(self) -> None:
        self._pending: Optional[Dict[str, Any]] = None
        # (runner.iter at the gather, every rank's states)
        self._gathered: Optional[Tuple[int, List[Dict[str, Any]]]] = None

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        self._gather_before_save(runner, 'iter')

    def after_train_epoch(self, runner) -> None:
        self._gather_before_save(runner, 'epoch')

    def _gather_before_save(self, runner, event: str) -> None:
        """Collect every rank's states when rank 0 is about to save."""
        if get_dist_info()[1] > 1 and checkpoint_follows(runner, event):
            self._gathered = (runner.iter, all_gather_object(_capture()))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        meta = checkpoint.setdefault('meta', {})
        meta[_KEY] = _capture()
        if self._gathered is not None and self._gathered[0] == runner.iter:
            meta[_RANKS_KEY] = self._gathered[1]
            meta[_KEY] = self._gathered[1][0]

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        meta = checkpoint.get('meta', {})
        states = meta.get(_KEY)
        if states is None:
            print_log('The checkpoint has no random states: resumed data '
                      'augmentation will not repeat the original run.',
                      logger='current')
        per_rank = meta.get(_RANKS_KEY)
        rank, world_size = get_dist_info()
        if per_rank is not None and len(per_rank) == world_size:
            states = per_rank[rank]
        elif per_rank is not None or world_size > 1:
            saved = len(per_rank) if per_rank is not None else 1
            print_log(f'The checkpoint holds the random states of {saved} '
                      f'rank(s), this run has {world_size}: every rank '
                      'restores those of rank 0, so augmentation differs '
                      'from the original run where ranks had different '
                      'seeds.',
                      logger='current',
                      level=logging.WARNING)
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
