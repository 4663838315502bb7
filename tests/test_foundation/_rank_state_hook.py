# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""A hook that saves what each rank trained on and ended with, so that a
test can compare the ranks of a distributed job."""
from typing import List

import torch
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class RankStateHook(Hook):
    """Save ``rank{r}.pth`` in ``out_dir`` after training: the sample
    indices of every batch this rank drew and its final model state.

    Args:
        out_dir (str): Folder of the per-rank files.
    """

    priority = 'LOWEST'

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.samples: List[List[int]] = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self.samples.append(
            [int(s.sample_idx) for s in data_batch['data_samples']])

    def after_train(self, runner) -> None:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        rank, _ = get_dist_info()
        torch.save(
            dict(samples=self.samples, state_dict=model.state_dict()),
            f'{self.out_dir}/rank{rank}.pth')
