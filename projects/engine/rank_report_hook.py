# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""A hook that reports each rank's progress, for distributed smoke tests."""
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class RankReportHook(Hook):
    """Print how many train iterations this rank ran, at the end of training.

    Used to check that every rank of a distributed job trained (mmengine
    logs from rank 0 only).
    """

    priority = 'LOWEST'

    def after_train(self, runner) -> None:
        rank, world_size = get_dist_info()
        print(f'rank {rank}/{world_size} finished {runner.iter} train '
              'iterations', flush=True)
