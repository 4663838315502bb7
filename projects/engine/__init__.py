# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Toolbox-agnostic engine pieces (mmengine root registries only)."""
from .cpu_distributed import MMCPUDistributedDataParallel, setup_cpu_distributed
from .rank_report_hook import RankReportHook
from .tool_utils import load_config, resolve_work_dir

__all__ = [
    'MMCPUDistributedDataParallel', 'RankReportHook', 'setup_cpu_distributed', 'load_config',
    'resolve_work_dir'
]
