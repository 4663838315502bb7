# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Switch ARFlow's photometric loss from stage 1 to stage 2."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS


@HOOKS.register_module()
class FlowLossStageHook(Hook):
    """Switch ``UnFlowLoss`` to stage 2 at iteration ``switch_iter``.

    `Learning by Analogy <https://arxiv.org/abs/2003.13045>`_ pre-trains
    with L1 + SSIM and range-map occlusion, then (official ``stage1.epoch``
    = 50 epochs of 1000 iterations) with the census loss and F-B occlusion.
    The stage lives in the loss's ``stage`` buffer, hence in every
    checkpoint; this hook sets it before the first iteration at or past
    ``switch_iter``, so a run resumed on either side of the switch continues
    exactly as an uninterrupted one.

    Args:
        switch_iter (int): First iteration (0-based) of stage 2. Defaults to
            50000.
        loss_attr (str): Attribute of the model holding the loss. Defaults
            to 'loss_func'.
    """

    priority = 'NORMAL'

    def __init__(self, switch_iter: int = 50000,
                 loss_attr: str = 'loss_func') -> None:
        if switch_iter < 0:
            raise ValueError('FlowLossStageHook: switch_iter must be >= 0, '
                             f'got {switch_iter}')
        self.switch_iter = switch_iter
        self.loss_attr = loss_attr

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Set stage 2 once ``runner.iter >= switch_iter``."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        loss = getattr(model, self.loss_attr, None)
        if loss is None or not hasattr(loss, 'set_stage'):
            raise AttributeError(
                f'FlowLossStageHook: model.{self.loss_attr} is not a staged '
                'loss (UnFlowLoss)')
        if runner.iter >= self.switch_iter and int(loss.stage) != 2:
            loss.set_stage(2)
            print_log(
                f'FlowLossStageHook: photometric loss stage 2 from iter '
                f'{runner.iter}: {loss.stage2_cfg}',
                logger='current')
