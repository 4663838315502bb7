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
    The draw is fixed by ``seed`` and the rank, so a resumed run that skips
    the iterations done sees the same data.

    Args:
        dataset (DDLFaceDataset): The split dataset.
        num_ids (int): Identities per classification stream.
        num_pairs (int): Pairs per pair stream.
        hard_pairs (str): ``'hard-hard'`` or ``'easy-hard'``.
            Defaults to 'hard-hard'.
        seed (int, optional): Random seed; synced across ranks when None.
            Defaults to None.
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
        rank, _ = get_dist_info()
        self.seed = (sync_random_seed() if seed is None else seed) + rank
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
        for name, pool in (('easy', self.easy), ('hard', self.hard)):
            if len(pool) < self.num_ids:
                raise ValueError(
                    f'DDLFourStreamSampler: num_ids={self.num_ids} but the '
                    f'{name} split has images of only {len(pool)} identities')
        for stream in (EASY_PAIR, HARD_PAIR):
            if len(self._pair_ids(stream)) < self.num_pairs:
                raise ValueError(
                    f'DDLFourStreamSampler: num_pairs={self.num_pairs} but '
                    f'only {len(self._pair_ids(stream))} identities can form '
                    f'positive pairs for stream {stream}')

    def _classification(self, rng: np.random.Generator, pool: dict,
                        stream: int) -> List[int]:
        ids = rng.choice(sorted(pool), self.num_ids, replace=False)
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

    def iteration(self, rng: np.random.Generator) -> List[int]:
        """The encoded indices of one iteration."""
        return (self._classification(rng, self.easy, 0) +
                self._classification(rng, self.hard, HARD_CLS) +
                self._pairs(rng, EASY_PAIR) + self._pairs(rng, HARD_PAIR))

    def __iter__(self) -> Iterator[int]:
        rng = np.random.default_rng(self.seed)
        while True:
            yield from self.iteration(rng)

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
