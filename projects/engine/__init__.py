# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Toolbox-agnostic engine pieces (mmengine root registries only)."""
from .cpu_distributed import MMCPUDistributedDataParallel, setup_cpu_distributed
from .random_state_hook import RandomStateCheckpointHook
from .rank_report_hook import RankReportHook
from .time_budget_hook import TrainTimeBudgetHook
from .tool_utils import (add_common_args, build_runner, load_config,
                         prepare_config, resolve_work_dir,
                         shutdown_distributed)

__all__ = [
    'MMCPUDistributedDataParallel', 'RandomStateCheckpointHook',
    'RankReportHook', 'add_common_args',
    'build_runner', 'load_config', 'prepare_config', 'resolve_work_dir',
    'setup_cpu_distributed', 'shutdown_distributed', 'TrainTimeBudgetHook'
]
