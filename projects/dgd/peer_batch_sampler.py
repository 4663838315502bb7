# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Batches made of one chunk per peer, each peer in its own data order."""
from typing import Iterator, List, Optional

import numpy as np
import torch
from mmengine.dist import sync_random_seed
from mmpretrain.registry import DATA_SAMPLERS
from torch.utils.data import BatchSampler, Sampler


@DATA_SAMPLERS.register_module()
class PeerBatchSampler(BatchSampler):
    """Every batch holds ``num_peers`` chunks of ``batch_size`` images, chunk
    :math:`g` drawn from peer :math:`g`'s own permutation of the data.

    The official filter-grafting code (arXiv 2001.05868, used by DGD,
    arXiv 2004.12311) trains each network in its own process with its own
    shuffled ``DataLoader``, so the networks see the data in different
    orders and with different augmentation draws. With several peers in one
    process (``DGDPeerClassifier(peer_batches=True)``) this batch sampler
    reproduces that: each epoch, peer :math:`g` permutes the indices the
    wrapped sampler gives this rank (all of them on one process, the rank's
    shard under DDP) with a generator seeded by ``(seed, epoch, g)``, and
    step :math:`s` yields peer 0's images :math:`[sB, (s+1)B)` of its
    order, then peer 1's, and so on. Every peer sees every image of the
    rank once per epoch. The augmentation is drawn per image, so the peers'
    chunks are augmented independently. Set it as
    ``train_dataloader.batch_sampler``; the dataloader's ``batch_size`` is
    the per-peer :math:`B`.

    Args:
        sampler (Sampler): The wrapped sampler (its indices and epoch).
        batch_size (int): Images per peer and step, :math:`B`.
        num_peers (int): :math:`N`, chunks per batch. Defaults to 2.
        drop_last (bool): Drop the last, smaller step. Defaults to False
            (as the official ``DataLoader``).
        seed (int, optional): Seed of the peers' permutations; synchronised
            across ranks when None. Defaults to None.
    """

    def __init__(self,
                 sampler: Sampler,
                 batch_size: int,
                 num_peers: int = 2,
                 drop_last: bool = False,
                 seed: Optional[int] = None) -> None:
        if batch_size < 1 or num_peers < 1:
            raise ValueError('PeerBatchSampler: batch_size and num_peers '
                             f'must be >= 1, got {batch_size}, {num_peers}')
        super().__init__(sampler, batch_size, drop_last)
        self.num_peers = num_peers
        self.seed = sync_random_seed() if seed is None else seed

    def peer_orders(self) -> List[List[int]]:
        """The :math:`N` orders of this epoch's indices."""
        indices = list(self.sampler)
        epoch = int(getattr(self.sampler, 'epoch', 0))
        orders = []
        for peer in range(self.num_peers):
            g = torch.Generator()
            g.manual_seed(int(np.random.SeedSequence(
                [self.seed, epoch, peer]).generate_state(1)[0]))
            perm = torch.randperm(len(indices), generator=g).tolist()
            orders.append([indices[i] for i in perm])
        return orders

    def __iter__(self) -> Iterator[List[int]]:
        orders = self.peer_orders()
        size = self.batch_size
        for step in range(len(self)):
            yield [i for order in orders
                   for i in order[step * size:(step + 1) * size]]

    def __len__(self) -> int:
        steps, rest = divmod(len(self.sampler), self.batch_size)
        return steps + (1 if rest and not self.drop_last else 0)
