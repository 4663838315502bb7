# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""When the runner's ``CheckpointHook`` is about to save.

mmengine saves checkpoints on rank 0 only (``Runner.save_checkpoint`` is
``master_only``), so ``before_save_checkpoint`` cannot run a collective. A
hook that must put every rank's state into rank 0's checkpoint gathers it
one step earlier, in the same ``after_train_iter`` / ``after_train_epoch``
call that saves, on every rank, when :func:`checkpoint_follows` says so.
"""
from mmengine.hooks import CheckpointHook
from mmengine.runner import IterBasedTrainLoop

TRAIN_EVENTS = ('iter', 'epoch')


def checkpoint_follows(runner, event: str) -> bool:
    """Whether a checkpoint is saved after this training event and before
    the next one.

    Args:
        runner (Runner): The runner, inside ``after_train_iter``
            (``event='iter'``) or ``after_train_epoch`` (``event='epoch'``).
        event (str): ``'iter'`` or ``'epoch'``.

    Returns:
        bool: True when one of the runner's ``CheckpointHook`` instances
        saves at this event, or saves its best checkpoint after the
        validation that follows it.
    """
    if event not in TRAIN_EVENTS:
        raise ValueError(f'checkpoint_follows: event must be in '
                         f'{TRAIN_EVENTS}, got {event!r}')
    return any(
        _saves_now(hook, runner, event) for hook in runner.hooks
        if isinstance(hook, CheckpointHook))


def _saves_now(hook: CheckpointHook, runner, event: str) -> bool:
    if hook.save_best is not None and _validation_follows(runner, event):
        return True
    if event == 'epoch':
        return hook.by_epoch and (
            hook.every_n_epochs(runner, hook.interval, hook.save_begin)
            or (hook.save_last and hook.is_last_train_epoch(runner)))
    return not hook.by_epoch and (
        hook.every_n_train_iters(runner, hook.interval, hook.save_begin)
        or (hook.save_last and hook.is_last_train_iter(runner)))


def _validation_follows(runner, event: str) -> bool:
    """The train loops' own test (mmengine 0.10.7 ``loops.py``), read one
    step before the loop increments its counter."""
    loop = runner.train_loop
    by_epoch = not isinstance(loop, IterBasedTrainLoop)
    if runner.val_loop is None or (event == 'epoch') != by_epoch:
        return False
    done = runner.epoch + 1 if by_epoch else runner.iter + 1
    last = loop.max_epochs if by_epoch else loop.max_iters
    return done >= loop.val_begin and (done % loop.val_interval == 0
                                       or done == last)
