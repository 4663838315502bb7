# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .flow_loss_stage_hook import FlowLossStageHook

__all__ = ['FlowLossStageHook']
