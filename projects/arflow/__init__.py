# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ARFlow (CVPR 2020, arXiv 2003.13045) for the mmseg registries.

Registers PWC-Lite, the unsupervised loss, the AR transform, the ``ARFlow``
model, flow datasets / transforms, ``FlowMetric`` and ``FlowLossStageHook``.
"""
from .datasets import *  # noqa: F401,F403
from .engine import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from .flow_data_sample import FlowDataSample
from .models import *  # noqa: F401,F403

__all__ = ['FlowDataSample']
