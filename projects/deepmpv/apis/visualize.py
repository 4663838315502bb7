# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Draw the detected key points and the ROI on a photo."""
import cv2
import numpy as np

from ..roi import RoiResult
from .palm_verifier import PalmPoints

GAP_COLOUR, CENTRE_COLOUR, ROI_COLOUR = (0, 0, 255), (0, 200, 0), (255, 0, 0)


def draw_palm(img: np.ndarray, points: PalmPoints,
              result: RoiResult) -> np.ndarray:
    """A copy of ``img`` with the detected boxes (thin), finger gaps (red),
    palm centre (green), the gap pair used (line) and the ROI (blue); the
    failure reason is written when there is no ROI."""
    vis = img.copy()
    radius = max(2, round(max(img.shape[:2]) / 150))
    for box, label in zip(points.boxes, points.labels):
        colour = GAP_COLOUR if label == 0 else CENTRE_COLOUR
        cv2.rectangle(vis, tuple(int(v) for v in box[:2]),
                      tuple(int(v) for v in box[2:]), colour, 1)
    for x, y in points.gaps:
        cv2.circle(vis, (int(round(x)), int(round(y))), radius, GAP_COLOUR,
                   -1)
    if points.centre is not None:
        x, y = points.centre
        cv2.circle(vis, (int(round(x)), int(round(y))), radius,
                   CENTRE_COLOUR, -1)
    if result.ok:
        cv2.polylines(vis, [np.round(result.frame.corners()).astype(
            np.int32)], True, ROI_COLOUR, max(1, radius // 2))
    else:
        cv2.putText(vis, result.reason, (5, 15), cv2.FONT_HERSHEY_SIMPLEX,
                    0.4, (0, 0, 255), 1)
    return vis
