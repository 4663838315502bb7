# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""PalmROIExtractor: key points -> palm ROI, with counted failures."""
from collections import Counter, OrderedDict
from typing import Dict, List, NamedTuple, Optional, Sequence, Union

import numpy as np
from mmengine.logging import print_log

from .geometry import (RoiFrame, deepmpv_plus_frame, farthest_pair,
                       mpd_frame, order_gaps_for_hand)
from .warp import cut_frame

GEOMETRIES = ('deepmpv_plus', 'mpd')
FEWER_THAN_TWO_GAPS = 'fewer than 2 finger gaps'
NO_PALM_CENTRE = 'no palm centre'
DEGENERATE = 'degenerate points'


class RoiResult(NamedTuple):
    """One extraction: the ROI and its frame, or ``reason`` of the
    failure (``roi`` and ``frame`` None); ``gaps`` are the two gaps used."""
    roi: Optional[np.ndarray]
    frame: Optional[RoiFrame]
    gaps: Optional[np.ndarray]
    reason: Optional[str]

    @property
    def ok(self) -> bool:
        """Whether an ROI was cut."""
        return self.roi is not None


class PalmROIExtractor:
    """Cut the palm ROI of `Towards Palmprint Verification on Smartphones
    <https://arxiv.org/abs/2003.13266>`_ from detected (or annotated) key
    points, in either geometry:

    - ``'deepmpv_plus'`` (public inference script): the two farthest finger
      gaps A, B, the palm centre P sets the palm side, ROI
      ``offset``..``offset + depth`` L below AB and ``width`` L wide
      (0.5, 2.5, 2.5), resized bicubic to 224 on a white (255) fill;
    - ``'mpd'`` (MPD's ``generateROI.m``): the 7/6 L square L/6 below AB on
      the side set by the hand (A -> B for left hands, B -> A for right).
      Given more than two gaps, the farthest two are used; unlabelled gaps
      are named A/B with the palm centre (ours), labelled ones may be
      passed with ``ordered=True``.

    Failures are returned (``RoiResult.reason``), counted per reason with
    the image names, and logged by :meth:`log_summary`; nothing is dropped
    silently.

    Args:
        geometry (str): ``'deepmpv_plus'`` or ``'mpd'``. Defaults to
            ``'deepmpv_plus'``.
        out_size (int): ROI side in pixels. Defaults to 224.
        interpolation (str): Resize interpolation. Defaults to
            ``'bicubic'``.
        resample (str): ``'crop_resize'`` (rotate, crop, resize as the
            reference codes) or ``'warp'``. Defaults to ``'crop_resize'``.
        border_value (int | float, optional): Fill outside the photo;
            None = 255 for ``'deepmpv_plus'`` (the script pads white) and 0
            for ``'mpd'``. Defaults to None.
        geometry_cfg (dict, optional): Overrides of the frame constants:
            ``offset``, ``depth``, ``width`` (deepmpv_plus) or ``side``,
            ``offset`` (mpd), in units of L. Defaults to None.
    """

    def __init__(self,
                 geometry: str = 'deepmpv_plus',
                 out_size: int = 224,
                 interpolation: str = 'bicubic',
                 resample: str = 'crop_resize',
                 border_value: Optional[Union[int, float]] = None,
                 geometry_cfg: Optional[dict] = None) -> None:
        if geometry not in GEOMETRIES:
            raise ValueError(f'PalmROIExtractor: geometry must be one of '
                             f'{GEOMETRIES}, got {geometry!r}')
        allowed = {'deepmpv_plus': {'offset', 'depth', 'width'},
                   'mpd': {'side', 'offset'}}[geometry]
        unknown = set(geometry_cfg or {}) - allowed
        if unknown:
            raise ValueError(f'PalmROIExtractor: unknown geometry_cfg keys '
                             f'{sorted(unknown)} for {geometry!r} (allowed: '
                             f'{sorted(allowed)})')
        self.geometry = geometry
        self.geometry_cfg = dict(geometry_cfg or {})
        self.out_size = out_size
        self.interpolation = interpolation
        self.resample = resample
        self.border_value = (255 if geometry == 'deepmpv_plus' else 0) \
            if border_value is None else border_value
        self.failures: Dict[str, List[str]] = OrderedDict()
        self.num_images = 0

    def frame(self,
              gaps: np.ndarray,
              centre: Optional[Sequence[float]] = None,
              hand: Optional[str] = None,
              ordered: bool = False) -> RoiFrame:
        """The ROI frame of the key points; raises ValueError when the
        points cannot define one (message = failure reason)."""
        gaps = np.asarray(gaps, dtype=np.float64).reshape(-1, 2)
        if len(gaps) < 2:
            raise ValueError(FEWER_THAN_TWO_GAPS)
        i, j = farthest_pair(gaps)
        a, b = gaps[i], gaps[j]
        if self.geometry == 'deepmpv_plus':
            if centre is None:
                raise ValueError(NO_PALM_CENTRE)
            return deepmpv_plus_frame(a, b, centre, **self.geometry_cfg)
        if hand is None:
            raise KeyError("PalmROIExtractor: geometry 'mpd' needs the hand "
                           "('l' or 'r'), e.g. from the MPD file name")
        if not (ordered and len(gaps) == 2):
            if centre is None:
                raise ValueError(NO_PALM_CENTRE)
            a, b = order_gaps_for_hand(a, b, centre, hand)
        return mpd_frame(a, b, hand, **self.geometry_cfg)

    def __call__(self,
                 img: np.ndarray,
                 gaps: np.ndarray,
                 centre: Optional[Sequence[float]] = None,
                 hand: Optional[str] = None,
                 name: str = '<image>',
                 ordered: bool = False) -> RoiResult:
        """Cut the ROI of one photo; failures are counted under ``name``.

        Args:
            img (np.ndarray): The photo (H, W[, C]).
            gaps (np.ndarray): Finger gaps, (N, 2) as (x, y); N may be 0.
            centre (Sequence[float], optional): Palm centre. Defaults to
                None.
            hand (str, optional): ``'l'``/``'r'`` (needed by ``'mpd'``).
                Defaults to None.
            name (str): Image name for the failure report.
                Defaults to ``'<image>'``.
            ordered (bool): The two gaps are (A, B) as annotated.
                Defaults to False.

        Returns:
            RoiResult: The ROI or the failure reason.
        """
        self.num_images += 1
        gaps = np.asarray(gaps, dtype=np.float64).reshape(-1, 2)
        try:
            frame = self.frame(gaps, centre, hand, ordered)
        except ValueError as err:
            reason = str(err)
            if reason not in (FEWER_THAN_TWO_GAPS, NO_PALM_CENTRE):
                reason = f'{DEGENERATE}: {reason}'
            self.failures.setdefault(reason, []).append(name)
            return RoiResult(None, None, None, reason)
        roi = cut_frame(img, frame, self.out_size, self.interpolation,
                        self.resample, self.border_value)
        return RoiResult(roi, frame, gaps, None)

    @property
    def num_failures(self) -> int:
        """Images without an ROI so far."""
        return sum(len(v) for v in self.failures.values())

    def failure_counts(self) -> Dict[str, int]:
        """Failures per reason."""
        return dict(Counter({k: len(v) for k, v in self.failures.items()}))

    def log_summary(self, max_names: int = 10) -> None:
        """Log the number of images, of failures per reason, and the first
        ``max_names`` failing image names of each reason."""
        msg = (f'PalmROIExtractor ({self.geometry}): {self.num_images} '
               f'images, {self.num_failures} without ROI')
        for reason, names in self.failures.items():
            shown = ', '.join(names[:max_names])
            more = f' (+{len(names) - max_names} more)' \
                if len(names) > max_names else ''
            msg += f'\n  {reason}: {len(names)} [{shown}{more}]'
        print_log(msg, logger='current',
                  level=30 if self.num_failures else 20)
