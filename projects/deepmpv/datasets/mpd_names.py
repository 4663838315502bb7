# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MPD file names: ``{id}_{session}_{device}_{hand}_{iter}.jpg``."""
import os.path as osp
import re
from typing import NamedTuple, Optional

_FIVE = re.compile(r'^(\d+)_(\d+)_([a-z]+)_([lr])_(\d+)$')
_FOUR = re.compile(r'^(\d+)_(\d+)_([lr])_(\d+)$')
HAND_NAMES = {'l': 'left', 'r': 'right'}


class MPDName(NamedTuple):
    """The fields of an MPD photo name (`Towards Palmprint Verification on
    Smartphones <https://arxiv.org/abs/2003.13266>`_; e.g.
    ``009_2_h_l_10.jpg``: subject 009, session 2, phone ``h`` (Huawei;
    ``m`` Xiaomi), left hand, 10th photo). The 4-part variant
    ``{id}_{session}_{hand}_{iter}`` has ``device`` None."""
    subject: str
    session: int
    device: Optional[str]
    hand: str
    iteration: int

    @property
    def hand_id(self) -> str:
        """The identity of MPD matching: one hand of one subject."""
        return f'{self.subject}_{self.hand}'


def parse_mpd_name(path: str, allow_four_part: bool = True) -> MPDName:
    """Parse an MPD photo or ROI file name.

    Args:
        path (str): File name or path (the extension is ignored).
        allow_four_part (bool): Accept ``{id}_{session}_{hand}_{iter}``.
            Defaults to True.

    Returns:
        MPDName: The fields.

    Raises:
        ValueError: The name does not follow the MPD pattern (the message
            names the file and the expected pattern).
    """
    stem = osp.splitext(osp.basename(path))[0]
    match = _FIVE.match(stem)
    if match:
        subject, session, device, hand, it = match.groups()
        return MPDName(subject, int(session), device, hand, int(it))
    match = _FOUR.match(stem) if allow_four_part else None
    if match:
        subject, session, hand, it = match.groups()
        return MPDName(subject, int(session), None, hand, int(it))
    expected = '{id}_{session}_{device}_{hand}_{iter}'
    if allow_four_part:
        expected += ' or {id}_{session}_{hand}_{iter}'
    raise ValueError(f'MPD: file name {path!r} does not match {expected} '
                     "(digits for id, session and iter; hand 'l' or 'r'; "
                     "device letters such as 'h' or 'm'), e.g. "
                     "'009_2_h_l_10.jpg'")
