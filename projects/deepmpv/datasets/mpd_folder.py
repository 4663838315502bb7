# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Scan an MPD photo/ROI folder and split it by subject."""
import os
import os.path as osp
from typing import List, Sequence, Set, Tuple, Union

import numpy as np
from mmengine.logging import print_log

from .mpd_names import MPDName, parse_mpd_name

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')
SPLIT_MODES = ('last', 'first', 'random')


def scan_mpd_folder(folder: str,
                    on_bad_name: str = 'error',
                    extensions: Sequence[str] = IMG_EXTENSIONS
                    ) -> List[Tuple[str, MPDName]]:
    """The MPD images of a folder (not recursive), sorted by name.

    Args:
        folder (str): The folder.
        on_bad_name (str): ``'error'`` raises on an image whose name is not
            an MPD name; ``'skip'`` counts and logs them. Defaults to
            ``'error'``.
        extensions (Sequence[str]): Image extensions; other files are
            counted and logged. Defaults to jpg, jpeg, png, bmp.

    Returns:
        list[tuple[str, MPDName]]: (path, parsed name) per image.
    """
    if on_bad_name not in ('error', 'skip'):
        raise ValueError("MPD: on_bad_name must be 'error' or 'skip', got "
                         f'{on_bad_name!r}')
    if not osp.isdir(folder):
        raise FileNotFoundError(f'MPD: image folder {folder} does not exist')
    items, bad, other = [], [], 0
    for fname in sorted(os.listdir(folder)):
        if not fname.lower().endswith(tuple(extensions)):
            other += 1
            continue
        try:
            items.append((osp.join(folder, fname), parse_mpd_name(fname)))
        except ValueError as err:
            if on_bad_name == 'error':
                raise ValueError(f'{err} (in folder {folder}; set '
                                 "on_bad_name='skip' to skip such files)"
                                 ) from None
            bad.append(fname)
    if bad or other:
        print_log(
            f'MPD: {folder}: skipped {len(bad)} images with non-MPD names '
            f'{bad[:5]} and {other} non-image files',
            logger='current',
            level=30)
    return items


def split_subjects(subjects: Sequence[str],
                   test_subjects: Union[int, float, Sequence[str]],
                   mode: str = 'last',
                   seed: int = 0) -> Tuple[List[str], List[str]]:
    """A subject-disjoint (open-set) split.

    Args:
        subjects (Sequence[str]): Subject ids (duplicates ignored).
        test_subjects (int | float | Sequence[str]): How many subjects are
            test: a count, a fraction in (0, 1), or the ids themselves.
        mode (str): With a count/fraction, take the ``'last'`` or
            ``'first'`` ids in sorted order or a ``'random'`` choice.
            Defaults to ``'last'``.
        seed (int): Seed of ``'random'``. Defaults to 0.

    Returns:
        tuple[list[str], list[str]]: Sorted train and test subject ids.
    """
    ids = sorted(set(subjects))
    if mode not in SPLIT_MODES:
        raise ValueError(f'MPD split: mode must be one of {SPLIT_MODES}, '
                         f'got {mode!r}')
    if isinstance(test_subjects, (list, tuple, set)):
        test: Set[str] = {str(s) for s in test_subjects}
        unknown = sorted(test - set(ids))
        if unknown:
            raise ValueError(f'MPD split: test subjects {unknown[:5]} are '
                             'not in the data')
    else:
        num = int(round(test_subjects * len(ids))) \
            if isinstance(test_subjects, float) else int(test_subjects)
        if not 0 <= num <= len(ids):
            raise ValueError(f'MPD split: test_subjects={test_subjects} '
                             f'is not possible with {len(ids)} subjects')
        if mode == 'random':
            order = list(np.random.default_rng(seed).permutation(ids))
            test = set(order[:num])
        else:
            test = set(ids[len(ids) - num:] if mode == 'last' else ids[:num])
    return [s for s in ids if s not in test], sorted(test)
