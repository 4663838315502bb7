# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Cut the ROIs of a folder of MPD photos from annotated points."""
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np

from .palm_roi_extractor import PalmROIExtractor


def split_points(points: List[tuple]) -> Tuple[np.ndarray, object, bool]:
    """(gaps (N, 2), palm centre or None, ordered) of one photo's
    ``(class, x, y, tag)`` points; ``ordered`` when exactly gaps A and B
    are tagged (then they are passed as A, B)."""
    tagged = {t: (x, y) for c, x, y, t in points if c == 'finger_gap'}
    if {'A', 'B'} <= set(tagged):
        gaps = np.array([tagged['A'], tagged['B']])
        ordered = True
    else:
        gaps = np.array([(x, y) for c, x, y, _ in points
                         if c == 'finger_gap']).reshape(-1, 2)
        ordered = False
    centres = [(x, y) for c, x, y, _ in points if c == 'palm_center']
    return gaps, (centres[0] if centres else None), ordered


def write_roi_folder(photo_dir: str, points: Dict[str, List[tuple]],
                     out_dir: str, extractor: PalmROIExtractor,
                     hands: Dict[str, str]) -> List[str]:
    """Cut and write the ROI of every annotated photo (same file name in
    ``out_dir``); failures are counted by the extractor and logged.

    Args:
        photo_dir (str): Folder of the photos.
        points (dict): File name -> ``(class, x, y, tag)`` points
            (``read_point_file``).
        out_dir (str): Output folder.
        extractor (PalmROIExtractor): The ROI geometry.
        hands (dict): File name -> ``'l'``/``'r'``.

    Returns:
        list[str]: The names of the written ROIs.
    """
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name, pts in points.items():
        img = cv2.imread(osp.join(photo_dir, name))
        if img is None:
            raise FileNotFoundError(f'palm ROI: cannot read '
                                    f'{osp.join(photo_dir, name)}')
        gaps, centre, ordered = split_points(pts)
        result = extractor(img, gaps, centre, hands[name], name, ordered)
        if result.ok:
            cv2.imwrite(osp.join(out_dir, name), result.roi)
            written.append(name)
    extractor.log_summary()
    return written
