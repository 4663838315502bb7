# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""RandomStateCheckpointHook keeps the Python, NumPy and PyTorch generator
states in checkpoints and restores them where training resumes."""
import random
from types import SimpleNamespace

import numpy as np
import torch
from mmengine.runner import IterBasedTrainLoop

from projects.engine import RandomStateCheckpointHook


def _draws():
    return (random.random(), float(np.random.rand()),
            float(torch.rand(1)))


def test_epoch_loop_restores_all_three_generators():
    hook = RandomStateCheckpointHook()
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    checkpoint = {}
    runner = SimpleNamespace(iter=4, train_loop=SimpleNamespace())
    hook.before_save_checkpoint(runner, checkpoint)
    expected = _draws()  # what the uninterrupted run draws next
    random.seed(2), np.random.seed(2), torch.manual_seed(2)
    assert _draws() != expected
    hook.after_load_checkpoint(runner, checkpoint)
    hook.before_train_epoch(runner)
    assert _draws() == expected
    hook.before_train_epoch(runner)  # restored once only
    assert _draws() != expected


def test_iter_loop_restores_after_the_skipped_batches():
    # mmengine's iteration loop re-draws `iter` batches to skip them on
    # resume; the states come back right before the first new batch
    hook = RandomStateCheckpointHook()
    random.seed(3), np.random.seed(3), torch.manual_seed(3)
    checkpoint = {}
    hook.before_save_checkpoint(SimpleNamespace(iter=2), checkpoint)
    expected = _draws()
    loop = IterBasedTrainLoop.__new__(IterBasedTrainLoop)
    loop._iter = 2
    loop.dataloader_iterator = iter(range(10))
    runner = SimpleNamespace(iter=2, train_loop=loop)
    random.seed(4), np.random.seed(4), torch.manual_seed(4)
    hook.after_load_checkpoint(runner, checkpoint)
    hook.before_train_epoch(runner)
    assert [next(loop.dataloader_iterator) for _ in range(2)] == [0, 1]
    _draws()  # the skipped batches may draw: they do not count
    assert next(loop.dataloader_iterator) == 2
    assert _draws() == expected


def test_other_world_size_restores_rank_0_and_warns():
    import logging

    from mmengine.logging import MMLogger
    hook = RandomStateCheckpointHook()
    states = []
    for seed in (5, 6):  # the generators of rank 0 and rank 1
        random.seed(seed), np.random.seed(seed), torch.manual_seed(seed)
        checkpoint = {}
        hook.before_save_checkpoint(SimpleNamespace(iter=1), checkpoint)
        states.append(checkpoint['meta']['random_states'])
    random.seed(5), np.random.seed(5), torch.manual_seed(5)
    rank0_draws = _draws()
    checkpoint = dict(meta=dict(random_states=states[0],
                                random_states_per_rank=states))
    records = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        runner = SimpleNamespace(iter=1, train_loop=SimpleNamespace())
        hook.after_load_checkpoint(runner, checkpoint)  # 1 process, 2 saved
    finally:
        logger.removeHandler(handler)
    hook.before_train_epoch(runner)
    assert _draws() == rank0_draws
    assert any('random states of 2 rank(s), this run has 1' in r.getMessage()
               for r in records)
