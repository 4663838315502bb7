# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The inverse-time learning-rate decay of AdaIN and MANet."""
from typing import List

from mmengine.optim.scheduler.lr_scheduler import LRSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import _ParamScheduler
from mmengine.registry import PARAM_SCHEDULERS


class InverseTimeParamScheduler(_ParamScheduler):
    """Inverse-time decay of a parameter, the schedule of `Arbitrary Style
    Transfer via Multi-Adaptation Network <https://arxiv.org/abs/2005.13219>`_
    (and AdaIN; ``adjust_learning_rate`` of their ``train.py``):

    .. math::
        v_t = \\frac{v_0}{1 + d \\, (t - t_{begin})}

    computed in closed form from the base value at every step ``t`` (the
    value used by iteration ``t``, counted from 0). Being closed form, it
    overrides, rather than multiplies, other schedulers active in the same
    steps.

    Args:
        optimizer (Optimizer | OptimWrapper): Wrapped optimizer.
        param_name (str): The parameter to schedule.
        decay (float): :math:`d`. Defaults to 5e-5.
        begin (int): First step of the schedule. Defaults to 0.
        end (int): Step after the last. Defaults to INF.
        last_step (int): Index of the last step. Defaults to -1.
        by_epoch (bool): Step per epoch instead of per iteration. Defaults
            to False (the official code steps per iteration).
        verbose (bool): Print each update. Defaults to False.
    """

    def __init__(self,
                 optimizer,
                 param_name: str,
                 decay: float = 5e-5,
                 begin: int = 0,
                 end: int = int(1e9),
                 last_step: int = -1,
                 by_epoch: bool = False,
                 verbose: bool = False) -> None:
        if decay < 0:
            raise ValueError(f'InverseTimeLR: decay must be >= 0, got {decay}')
        self.decay = decay
        super().__init__(
            optimizer,
            param_name=param_name,
            begin=begin,
            end=end,
            last_step=last_step,
            by_epoch=by_epoch,
            verbose=verbose)

    def _get_value(self) -> List[float]:
        # last_step counts the steps taken since ``begin``
        factor = 1.0 + self.decay * self.last_step
        return [base / factor for base in self.base_values]


@PARAM_SCHEDULERS.register_module()
class InverseTimeLR(LRSchedulerMixin, InverseTimeParamScheduler):
    """:class:`InverseTimeParamScheduler` on the learning rate:
    ``lr / (1 + decay * iter)``, MANet's and AdaIN's schedule (registered
    in mmengine's root registry, so every scope finds it)."""
