# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""A sampler that gives every rank the whole dataset in the same order."""
import math
from typing import Optional, Sized

from mmengine.dataset import DefaultSampler
from mmengine.dist import get_dist_info
from mmpretrain.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class PeerSampler(DefaultSampler):
    """``DefaultSampler`` that does not shard the data across ranks.

    With one DGD peer per rank (arXiv 2004.12311) each rank trains its own
    network on the full dataset, as the official grafting processes do, and
    online distillation needs the same batch on every rank. The shuffle
    seed is synchronised across ranks (``sync_random_seed``).

    Args:
        dataset (Sized): The dataset.
        shuffle (bool): Shuffle every epoch. Defaults to True.
        seed (int, optional): Shuffle seed. Defaults to None (synchronised
            random seed).
        round_up (bool): Kept for ``DefaultSampler`` compatibility; without
            sharding nothing needs padding. Defaults to True.
        per_rank_order (bool): Each rank shuffles with its own seed
            (``seed + rank * 2**20``), so each rank's peer draws its own data
            order, as the official separate processes (grafting without
            online distillation; pair it with
            ``randomness.diff_rank_seed=True`` for own augmentation too).
            Defaults to False (the same order on every rank).
    """

    def __init__(self,
                 dataset: Sized,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True,
                 per_rank_order: bool = False) -> None:
        super().__init__(dataset,
                         shuffle=shuffle,
                         seed=seed,
                         round_up=round_up)
        if per_rank_order:
            self.seed += get_dist_info()[0] * 2**20
        self.per_rank_order = per_rank_order
        self.rank, self.world_size = 0, 1
        self.num_samples = math.ceil(len(self.dataset))
        self.total_size = len(self.dataset)
