# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The four data streams of one DDL iteration."""
from typing import Dict, Iterator, List, Optional

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from mmpretrain.registry import DATA_SAMPLERS
from torch.utils.data import Sampler

from .ddl_face_dataset import EASY_PAIR, HARD_CLS, HARD_PAIR

PAIR_MODES = ('hard-hard', 'easy-hard')


@DATA_SAMPLERS.register_module()
class DDLFourStreamSampler(Sampler):
    """Infinite sampler of the four streams of `Distribution Distillation
    Loss <https://arxiv.org/abs/2002.03662>`_ training.

    Every chunk of ``batch_size = 2 * num_ids + 4 * num_pairs`` indices is
    one iteration, in this order:

    1. easy classification: ``num_ids`` distinct identities, one easy image
       each (identity-balanced, ``person_number=1`` of the official config);
    2. hard classification: the same from the hard images;
    3. easy positive pairs: ``num_pairs`` distinct identities, two distinct
       easy images each, as ``a0, b0, a1, b1, ...``;
    4. hard positive pairs: the same with hard images (``'hard-hard'``) or
       an easy first and a hard second image (``'easy-hard'``).

    Indices are encoded for ``DDLFaceDataset`` as ``stream * len + image``.

    With :math:`W` processes the identities of a classification stream are
    drawn as the official ``DistributedIDBalanceSampler`` does: one
    permutation of all identities, the same on every rank (``seed``), is
    partitioned among the ranks (rank :math:`r` takes every :math:`W`-th
    from position :math:`r`), and each rank walks its share ``num_ids`` at a
    time, drawing a new permutation when a share is used up. So within an
    iteration no identity appears on two ranks, and the all-gathered DDL
    negatives are ``W * num_ids`` distinct identities. The images of an
    identity and the pairs are drawn per rank. The whole draw is fixed by
    ``seed`` and the rank, so a resumed run that skips the iterations done
    sees the same data.

    Args:
        dataset (DDLFaceDataset): The split dataset.
        num_ids (int): Identities per classification stream and process.
        num_pairs (int): Pairs per pair stream and process.
        hard_pairs (str): ``'hard-hard'`` or ``'easy-hard'``.
            Defaults to 'hard-hard'.
        seed (int, optional): Random seed; synced across ranks when None
            (every rank must use the same one). Defaults to None.
    """

    def __init__(self,
                 dataset,
                 num_ids: int,
                 num_pairs: int,
                 hard_pairs: str = 'hard-hard',
                 seed: Optional[int] = None) -> None:
        if hard_pairs not in PAIR_MODES:
            raise ValueError(f'DDLFourStreamSampler: hard_pairs must be one '
                             f'of {PAIR_MODES}, got {hard_pairs!r}')
        if num_ids < 2 or num_pairs < 1:
            raise ValueError('DDLFourStreamSampler: num_ids must be >= 2 and '
                             f'num_pairs >= 1, got {num_ids}, {num_pairs}')
        self.dataset = dataset
        self.num_ids = num_ids
        self.num_pairs = num_pairs
        self.hard_pairs = hard_pairs
        self.rank, self.world_size = get_dist_info()
        self.seed = sync_random_seed() if seed is None else seed
        self.size = len(dataset)
        self.easy = _images_by_identity(dataset, hard=False)
        self.hard = _images_by_identity(dataset, hard=True)
        self._check_enough()

    @property
    def batch_size(self) -> int:
        """Indices per iteration."""
        return 2 * self.num_ids + 4 * self.num_pairs

    def _pair_sources(self, stream: int) -> tuple:
        if stream == HARD_PAIR and self.hard_pairs == 'hard-hard':
            return self.hard, self.hard
        if stream == HARD_PAIR:
            return self.easy, self.hard
        return self.easy, self.easy

    def _pair_ids(self, stream: int) -> List[int]:
        first, second = self._pair_sources(stream)
        if first is second:
            return [k for k, v in first.items() if len(v) >= 2]
        return [k for k in first if k in second]

    def _check_enough(self) -> None:
        need = self.num_ids * self.world_size
        for name, pool in (('easy', self.easy), ('hard', self.hard)):
            if len(pool) < need:
                raise ValueError(
                    f'DDLFourStreamSampler: num_ids={self.num_ids} on '
                    f'{self.world_size} process(es) needs {need} distinct '
                    f'identities but the {name} split has images of only '
                    f'{len(pool)} identities')
        for stream in (EASY_PAIR, HARD_PAIR):
            if len(self._pair_ids(stream)) < self.num_pairs:
                raise ValueError(
                    f'DDLFourStreamSampler: num_pairs={self.num_pairs} but '
                    f'only {len(self._pair_ids(stream))} identities can form '
                    f'positive pairs for stream {stream}')

    def _identity_chunks(self, pool: dict,
                         stream: int) -> Iterator[np.ndarray]:
        """This rank's ``num_ids`` identities of each iteration, from
        permutations shared by all ranks and partitioned among them."""
        rng = np.random.default_rng([self.seed, stream])
        ids = np.array(sorted(pool))
        per_rank = len(ids) // self.world_size
        chunks = per_rank // self.num_ids
        while True:
            share = rng.permutation(ids)[self.rank::self.world_size]
            for c in range(chunks):
                yield share[c * self.num_ids:(c + 1) * self.num_ids]

    def _classification(self, rng: np.random.Generator, pool: dict,
                        ids: np.ndarray, stream: int) -> List[int]:
        return [stream * self.size + int(rng.choice(pool[i])) for i in ids]

    def _pairs(self, rng: np.random.Generator, stream: int) -> List[int]:
        first, second = self._pair_sources(stream)
        ids = rng.choice(sorted(self._pair_ids(stream)),
                         self.num_pairs,
                         replace=False)
        out = []
        for i in ids:
            if first is second:
                a, b = rng.choice(first[i], 2, replace=False)
            else:
                a, b = rng.choice(first[i]), rng.choice(second[i])
            out += [stream * self.size + int(a), stream * self.size + int(b)]
        return out

    def iteration(self, rng: np.random.Generator, easy_ids: np.ndarray,
                  hard_ids: np.ndarray) -> List[int]:
        """The encoded indices of one iteration.

        Args:
            rng (np.random.Generator): This rank's generator (images, pairs).
            easy_ids (np.ndarray): Identities of the easy classification
                stream, ``num_ids`` of them.
            hard_ids (np.ndarray): Those of the hard one.
        """
        return (self._classification(rng, self.easy, easy_ids, 0) +
                self._classification(rng, self.hard, hard_ids, HARD_CLS) +
                self._pairs(rng, EASY_PAIR) + self._pairs(rng, HARD_PAIR))

    def __iter__(self) -> Iterator[int]:
        rng = np.random.default_rng([self.seed, 4, self.rank])
        easy = self._identity_chunks(self.easy, 0)
        hard = self._identity_chunks(self.hard, HARD_CLS)
        while True:
            yield from self.iteration(rng, next(easy), next(hard))

    def __len__(self) -> int:
        return self.batch_size

    def set_epoch(self, epoch: int) -> None:
        """Kept for the runner; the stream is infinite and seeded once."""


def _images_by_identity(dataset, hard: bool) -> Dict[int, List[int]]:
    """``identity -> indices`` of the easy or hard images."""
    dataset.full_init()
    pool: Dict[int, List[int]] = {}
    for i in np.flatnonzero(dataset.ddl_is_hard == hard):
        pool.setdefault(int(dataset.ddl_labels[i]), []).append(int(i))
    return pool
