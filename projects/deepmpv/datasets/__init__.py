# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .mpd_folder import scan_mpd_folder, split_subjects
from .mpd_gap_dataset import PALM_CLASSES, MPDGapDataset
from .mpd_names import MPDName, parse_mpd_name
from .mpd_pairs import (Pair, make_mpd_pairs, pair_arrays, read_pair_list,
                        write_pair_list)
from .mpd_palm_dataset import MPDPalmDataset
from .mpd_point_dataset import MPDPointDataset, read_point_file
from .mpd_verification_dataset import MPDVerificationDataset

__all__ = [
    'MPDGapDataset', 'MPDName', 'MPDPalmDataset', 'MPDPointDataset',
    'MPDVerificationDataset', 'PALM_CLASSES', 'Pair', 'make_mpd_pairs',
    'pair_arrays', 'parse_mpd_name', 'read_pair_list', 'read_point_file',
    'scan_mpd_folder', 'split_subjects', 'write_pair_list'
]
