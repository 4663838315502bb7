# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""checkpoint_follows answers as the runner's CheckpointHook will save."""
from types import SimpleNamespace

import pytest
from mmengine.hooks import CheckpointHook

from projects.engine.checkpoint_schedule import checkpoint_follows


def _runner(*hooks, epoch=0, it=0, max_epochs=4, max_iters=100,
            val_loop=None, train_loop=None):
    loop = train_loop or SimpleNamespace(max_epochs=max_epochs,
                                         max_iters=max_iters,
                                         val_begin=1,
                                         val_interval=2)
    return SimpleNamespace(hooks=list(hooks),
                           epoch=epoch,
                           iter=it,
                           max_epochs=max_epochs,
                           max_iters=max_iters,
                           train_loop=loop,
                           val_loop=val_loop)


def test_epoch_interval_and_last_epoch():
    hook = CheckpointHook(interval=2, by_epoch=True)
    assert not checkpoint_follows(_runner(hook, epoch=0), 'epoch')
    assert checkpoint_follows(_runner(hook, epoch=1), 'epoch')
    assert not checkpoint_follows(_runner(hook, epoch=1), 'iter')
    # epoch 5 of 5: not a multiple of 2, saved as the last one
    assert checkpoint_follows(_runner(hook, epoch=4, max_epochs=5), 'epoch')
    no_last = CheckpointHook(interval=2, by_epoch=True, save_last=False)
    assert not checkpoint_follows(_runner(no_last, epoch=4, max_epochs=5),
                                  'epoch')


def test_iteration_interval():
    hook = CheckpointHook(interval=3, by_epoch=False)
    assert checkpoint_follows(_runner(hook, it=2), 'iter')
    assert not checkpoint_follows(_runner(hook, it=3), 'iter')
    assert not checkpoint_follows(_runner(hook, it=2), 'epoch')


def test_best_checkpoint_after_validation():
    hook = CheckpointHook(interval=10, by_epoch=True, save_best='auto')
    val = object()
    # validation after epochs 2, 4 (val_interval=2) saves the best one
    assert checkpoint_follows(_runner(hook, epoch=1, val_loop=val), 'epoch')
    assert not checkpoint_follows(_runner(hook, epoch=2, val_loop=val),
                                  'epoch')
    assert not checkpoint_follows(_runner(hook, epoch=1), 'epoch')


def test_no_checkpoint_hook_and_bad_event():
    assert not checkpoint_follows(_runner(epoch=1), 'epoch')
    with pytest.raises(ValueError, match='event'):
        checkpoint_follows(_runner(), 'step')
