# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""A hook that interrupts training, to emulate a job that was stopped."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class InterruptTrainingHook(Hook):
    """Stop training after ``after_iter`` iterations, keeping the schedule.

    Args:
        after_iter (int): The iteration after which training stops.
    """

    priority = 'LOWEST'

    def __init__(self, after_iter: int) -> None:
        self.after_iter = after_iter

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 >= self.after_iter:
            runner.train_loop.stop_training = True
