# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .geometry import (RoiFrame, deepmpv_plus_frame, farthest_pair,
                       mpd_axis, mpd_frame, order_gaps_for_hand)
from .palm_roi_extractor import (FEWER_THAN_TWO_GAPS, NO_PALM_CENTRE,
                                 PalmROIExtractor, RoiResult)
from .roi_folder import split_points, write_roi_folder
from .warp import cut_frame

__all__ = [
    'FEWER_THAN_TWO_GAPS', 'NO_PALM_CENTRE', 'PalmROIExtractor',
    'RoiFrame', 'RoiResult', 'cut_frame', 'deepmpv_plus_frame',
    'farthest_pair', 'mpd_axis', 'mpd_frame', 'order_gaps_for_hand',
    'split_points', 'write_roi_folder'
]
