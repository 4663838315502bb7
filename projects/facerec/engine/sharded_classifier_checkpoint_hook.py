# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Put the whole class-sharded classifier into rank 0's checkpoints."""
from typing import Optional

from mmengine.hooks import CheckpointHook, Hook
from mmengine.model import is_model_wrapper
from mmpretrain.registry import HOOKS


@HOOKS.register_module()
class ShardedClassifierCheckpointHook(Hook):
    """Gather a class-sharded head's rows on rank 0 before each checkpoint.

    mmengine's ``CheckpointHook`` saves on rank 0 only, so a head whose
    classifier is sharded by class across ranks (``ShardedCurricularFaceHead``
    of `CurricularFace <https://arxiv.org/abs/2004.00288>`_'s model-parallel
    recipe) would lose the other ranks' rows. At every point where the
    ``CheckpointHook`` saves (its interval, the last iteration/epoch, and
    after validation when it keeps the best), this hook, which runs just
    before it on all ranks, calls ``head.gather_full_weight()``; the saved
    weight then has all ``num_classes`` rows and ``--resume`` on any rank
    keeps that rank's slice.
    """

    priority = 'LOW'  # before CheckpointHook (VERY_LOW)

    @staticmethod
    def _checkpoint_hook(runner) -> Optional[CheckpointHook]:
        return next((h for h in runner.hooks if isinstance(h, CheckpointHook)),
                    None)

    @staticmethod
    def _gather(runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        head = getattr(model, 'head', None)
        if hasattr(head, 'gather_full_weight'):
            head.gather_full_weight()

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Gather when an iteration-based checkpoint is due."""
        ckpt = self._checkpoint_hook(runner)
        if ckpt is None or ckpt.by_epoch:
            return
        if self.every_n_train_iters(runner, ckpt.interval) or (
                ckpt.save_last and self.is_last_train_iter(runner)):
            self._gather(runner)

    def after_train_epoch(self, runner) -> None:
        """Gather when an epoch-based checkpoint is due."""
        ckpt = self._checkpoint_hook(runner)
        if ckpt is None or not ckpt.by_epoch:
            return
        if self.every_n_epochs(runner, ckpt.interval) or (
                ckpt.save_last and self.is_last_train_epoch(runner)):
            self._gather(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        """Gather before a possible best checkpoint."""
        ckpt = self._checkpoint_hook(runner)
        if ckpt is not None and ckpt.save_best:
            self._gather(runner)
