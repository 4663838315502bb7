# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Stop training when a wall-clock budget is spent."""
import time
from typing import Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS


@HOOKS.register_module()
class TrainTimeBudgetHook(Hook):
    """Stop training once ``budget_s`` seconds of training have passed.

    For demos and smoke runs that must end in bounded time on any machine:
    training stops after the iteration that crosses the budget and the log
    says how many iterations ran. mmengine's loops then end without their
    scheduled validation and final checkpoint, so the caller evaluates and
    saves (``tools/demo.py`` does both).

    Args:
        budget_s (float): Training time budget in seconds.
    """

    priority = 'LOWEST'

    def __init__(self, budget_s: float) -> None:
        if budget_s <= 0:
            raise ValueError(f'budget_s must be positive, got {budget_s}')
        self.budget_s = budget_s
        self._start: Optional[float] = None

    def before_train(self, runner) -> None:
        self._start = time.monotonic()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        elapsed = time.monotonic() - self._start
        if elapsed >= self.budget_s and not runner.train_loop.stop_training:
            runner.train_loop.stop_training = True
            print_log(
                f'Training time budget of {self.budget_s:g} s spent after '
                f'{runner.iter + 1} iterations; stopping.', logger='current')
