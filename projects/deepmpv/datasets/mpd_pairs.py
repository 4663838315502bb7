# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Verification pair lists of MPD: cross-session and cross-device."""
import itertools
import os.path as osp
from typing import List, NamedTuple, Sequence, Union

import numpy as np

from .mpd_names import MPDName, parse_mpd_name

PROTOCOLS = ('cross_session', 'cross_device', 'all')
FOLDS = ('calib', 'eval')


class Pair(NamedTuple):
    """Two image names, same hand or not, and the fold (``'calib'``: used
    to choose the threshold; ``'eval'``: reported)."""
    name1: str
    name2: str
    issame: bool
    fold: str


def protocol_allows(a: MPDName, b: MPDName, protocol: str) -> bool:
    """Whether two images form a pair of ``protocol`` (ours, the paper's
    protocol was not found): ``'cross_session'`` = other session, same
    phone; ``'cross_device'`` = other phone, same session; ``'all'`` = any
    two images."""
    if protocol == 'cross_session':
        return a.session != b.session and a.device == b.device
    if protocol == 'cross_device':
        return a.device != b.device and a.session == b.session
    return True


def _fold_of_subjects(subjects: Sequence[str], calib_fraction: float
                      ) -> dict:
    """Subject -> fold: the first ``calib_fraction`` of the sorted
    subjects calibrate the threshold, the rest are reported."""
    ids = sorted(set(subjects))
    num = int(round(calib_fraction * len(ids)))
    return {s: FOLDS[0] if i < num else FOLDS[1] for i, s in enumerate(ids)}


def make_mpd_pairs(names: Sequence[str],
                   protocol: str = 'cross_session',
                   impostors_per_genuine: float = 1.0,
                   calib_fraction: float = 0.5,
                   seed: int = 0) -> List[Pair]:
    """All genuine pairs of ``protocol`` and sampled impostor pairs.

    Subjects are divided into a calibration and an evaluation fold (first
    ``calib_fraction`` of the sorted ids); pairs never mix the folds, so
    the threshold chosen on 'calib' is applied to unseen subjects.
    Impostors are drawn uniformly (seeded) among the different-hand pairs
    of the protocol within a fold, ``impostors_per_genuine`` times as many
    as the fold's genuine pairs (at most all of them).

    Args:
        names (Sequence[str]): MPD image names.
        protocol (str): One of ``PROTOCOLS``. Defaults to
            ``'cross_session'``.
        impostors_per_genuine (float): Impostor/genuine ratio (<= 0: all
            impostor pairs). Defaults to 1.0.
        calib_fraction (float): Fraction of subjects for the threshold.
            Defaults to 0.5.
        seed (int): Sampling seed. Defaults to 0.

    Returns:
        list[Pair]: Genuine then impostor pairs of each fold.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f'MPD pairs: protocol must be one of {PROTOCOLS}, '
                         f'got {protocol!r}')
    parsed = [(osp.basename(n), parse_mpd_name(n)) for n in sorted(names)]
    fold_of = _fold_of_subjects([p.subject for _, p in parsed],
                                calib_fraction)
    rng = np.random.default_rng(seed)
    pairs: List[Pair] = []
    for fold in FOLDS:
        items = [x for x in parsed if fold_of[x[1].subject] == fold]
        genuine, impostor = [], []
        for (n1, a), (n2, b) in itertools.combinations(items, 2):
            if protocol_allows(a, b, protocol):
                same = a.hand_id == b.hand_id
                (genuine if same else impostor).append((n1, n2))
        num = len(impostor) if impostors_per_genuine <= 0 else min(
            len(impostor), int(round(impostors_per_genuine * len(genuine))))
        chosen = sorted(rng.choice(len(impostor), num, replace=False)) \
            if num else []
        pairs += [Pair(a, b, True, fold) for a, b in genuine]
        pairs += [Pair(*impostor[i], False, fold) for i in chosen]
    return pairs


def write_pair_list(path: str, pairs: Sequence[Pair]) -> None:
    """Write ``name1 name2 issame(0/1) fold`` lines."""
    with open(path, 'w') as f:
        for p in pairs:
            f.write(f'{p.name1} {p.name2} {int(p.issame)} {p.fold}\n')


def read_pair_list(path: str) -> List[Pair]:
    """Read a pair list (``name1 name2 issame [fold]``; fold defaults to
    'eval'); errors name the file and line."""
    pairs = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) not in (3, 4) or fields[2] not in ('0', '1') or \
                    (len(fields) == 4 and fields[3] not in FOLDS):
                raise ValueError(
                    f'MPD pairs: {path}:{lineno}: expected "name1 name2 '
                    f'0|1 [calib|eval]", got {line.strip()!r}')
            pairs.append(Pair(fields[0], fields[1], fields[2] == '1',
                              fields[3] if len(fields) == 4 else 'eval'))
    if not pairs:
        raise ValueError(f'MPD pairs: {path} holds no pairs')
    return pairs


def pair_arrays(pairs: Sequence[Pair], names: Union[Sequence[str], dict]
                ) -> tuple:
    """Index pairs (P, 2), issame (P,) and fold (P,) over ``names``
    (a list of image names or a name -> index dict)."""
    index = names if isinstance(names, dict) else {
        n: i for i, n in enumerate(names)}
    missing = sorted({n for p in pairs for n in (p.name1, p.name2)
                      if n not in index})
    if missing:
        raise KeyError(f'MPD pairs: {len(missing)} images of the pair list '
                       f'are not in the image folder, e.g. {missing[:3]}')
    idx = np.array([[index[p.name1], index[p.name2]] for p in pairs],
                   dtype=np.int64).reshape(-1, 2)
    return (idx, np.array([p.issame for p in pairs], dtype=bool),
            np.array([p.fold for p in pairs]))
