# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Put the whole class-sharded classifier into rank 0's checkpoints."""
from typing import Dict, Optional

import torch
from mmengine.hooks import CheckpointHook, Hook
from mmengine.model import is_model_wrapper
from mmpretrain.registry import HOOKS

from projects.facerec.models.class_sharded import gather_rows


@HOOKS.register_module()
class ShardedClassifierCheckpointHook(Hook):
    """Gather a class-sharded head's rows and their optimizer state (e.g.
    SGD momentum) into rank 0's checkpoints, and slice them on resume.

    mmengine's ``CheckpointHook`` saves on rank 0 only, so a head whose
    classifier is sharded by class across ranks (``ShardedCurricularFaceHead``
    of `CurricularFace <https://arxiv.org/abs/2004.00288>`_'s model-parallel
    layout) would lose the other ranks' rows. Where the ``CheckpointHook``
    saves (its interval, the last iteration/epoch, after validation when it
    keeps the best), this hook, run just before it on all ranks, gathers the
    weight (``head.gather_full_weight()``) and its optimizer state; rank 0
    writes them into the checkpoint (``before_save_checkpoint``). On
    ``--resume`` every rank keeps its rows (``after_load_checkpoint``), so
    the run resumes exactly. The head needs ``gather_full_weight``,
    ``local_rows``, ``num_classes`` and ``norm_product.weight``.
    """

    priority = 'LOW'  # before CheckpointHook (VERY_LOW)

    def __init__(self) -> None:
        self._optim_state: Dict[str, torch.Tensor] = {}

    @staticmethod
    def _head(runner):
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        head = getattr(model, 'head', None)
        return head if hasattr(head, 'gather_full_weight') else None

    @staticmethod
    def _param_index(runner, param: torch.Tensor) -> Optional[int]:
        """Index of ``param`` in the optimizer's state_dict."""
        index = 0
        for group in runner.optim_wrapper.optimizer.param_groups:
            for p in group['params']:
                if p is param:
                    return index
                index += 1
        return None

    def _gather(self, runner) -> None:
        head = self._head(runner)
        if head is None:
            return
        head.gather_full_weight()
        param = head.norm_product.weight
        state = runner.optim_wrapper.optimizer.state.get(param, {})
        self._optim_state = {
            key: gather_rows(value, head.num_classes)
            for key, value in sorted(state.items()) if torch.is_tensor(value)
            and value.dim() > 0 and value.shape[0] == param.shape[0]
        }

    def _due(self, runner, ckpt: CheckpointHook, by_epoch: bool) -> bool:
        if by_epoch:
            return self.every_n_epochs(runner, ckpt.interval) or (
                ckpt.save_last and self.is_last_train_epoch(runner))
        return self.every_n_train_iters(
            runner, ckpt.interval) or (ckpt.save_last
                                       and self.is_last_train_iter(runner))

    @staticmethod
    def _checkpoint_hook(runner) -> Optional[CheckpointHook]:
        return next((h for h in runner.hooks if isinstance(h, CheckpointHook)),
                    None)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        """Gather when an iteration-based checkpoint is due."""
        ckpt = self._checkpoint_hook(runner)
        if ckpt is not None and not ckpt.by_epoch and \
                self._due(runner, ckpt, by_epoch=False):
            self._gather(runner)

    def after_train_epoch(self, runner) -> None:
        """Gather when an epoch-based checkpoint is due."""
        ckpt = self._checkpoint_hook(runner)
        if ckpt is not None and ckpt.by_epoch and \
                self._due(runner, ckpt, by_epoch=True):
            self._gather(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        """Gather before a possible best checkpoint."""
        ckpt = self._checkpoint_hook(runner)
        if ckpt is not None and ckpt.save_best:
            self._gather(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Rank 0: write the gathered optimizer state of the sharded rows."""
        head = self._head(runner)
        if head is None or not self._optim_state:
            return
        index = self._param_index(runner, head.norm_product.weight)
        state = checkpoint.get('optimizer', {}).get('state', {})
        if index in state:
            state[index].update(self._optim_state)
        self._optim_state = {}

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Every rank: keep its rows of full weights and optimizer state."""
        head = self._head(runner)
        if head is None:
            return
        key = 'head.norm_product.weight'
        weights = checkpoint.get('state_dict', {})
        if key in weights and weights[key].shape[0] == head.num_classes:
            weights[key] = head.local_rows(weights[key])
        index = self._param_index(runner, head.norm_product.weight)
        state = checkpoint.get('optimizer', {}).get('state', {}).get(index)
        for name, value in (state or {}).items():
            if torch.is_tensor(value) and value.dim() > 0 and \
                    value.shape[0] == head.num_classes:
                state[name] = head.local_rows(value)
