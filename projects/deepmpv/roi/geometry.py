# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ROI frames of `Towards Palmprint Verification on Smartphones
<https://arxiv.org/abs/2003.13266>`_ (DeepMPV+), as pure numpy functions.

A frame is the oriented square (or rectangle) of the palm ROI in image
coordinates (x right, y down, pixel centres at integers): its top-left
corner :math:`c`, the unit axes :math:`u` (ROI columns) and :math:`p = R_{90}
u = (-u_y, u_x)` (ROI rows, pointing into the palm), and the side lengths.
Both geometries are built from the key points only, so rotating the photo
and its points together rotates the frame with them (rotation invariance).
"""
from typing import NamedTuple, Sequence, Tuple

import numpy as np

_EPS = 1e-6


class RoiFrame(NamedTuple):
    """An oriented rectangle: ``corner + a * u + b * p`` for ``a`` in
    ``[0, width)`` and ``b`` in ``[0, height)`` (pixels)."""
    corner: np.ndarray
    u: np.ndarray
    p: np.ndarray
    width: float
    height: float

    def corners(self) -> np.ndarray:
        """The four corners (top-left, top-right, bottom-right, bottom-left
        in the ROI), shape (4, 2)."""
        w, h = self.width * self.u, self.height * self.p
        return np.stack([
            self.corner, self.corner + w, self.corner + w + h,
            self.corner + h
        ])


def as_point(point: Sequence[float], name: str) -> np.ndarray:
    """A finite (x, y) point as float64, or a ValueError naming it."""
    arr = np.asarray(point, dtype=np.float64).reshape(-1)
    if arr.shape != (2, ) or not np.all(np.isfinite(arr)):
        raise ValueError(f'palm ROI: {name} must be a finite (x, y) point, '
                         f'got {point!r}')
    return arr


def perpendicular(u: np.ndarray) -> np.ndarray:
    """:math:`R_{90} u = (-u_y, u_x)`: in image coordinates (y down) the
    direction 90 degrees clockwise on screen, e.g. right -> down."""
    return np.array([-u[1], u[0]])


def farthest_pair(points: np.ndarray) -> Tuple[int, int]:
    """Indices (i < j) of the two points farthest apart, the rule of the
    DeepMPV+ inference script when more than two finger gaps are found.

    Args:
        points (np.ndarray): Points, shape (N, 2) with N >= 2.

    Returns:
        tuple[int, int]: The pair; the first pair in row-major order on
        ties.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(points) < 2:
        raise ValueError('palm ROI: farthest_pair needs >= 2 points, got '
                         f'{len(points)}')
    dist = np.linalg.norm(points[:, None] - points[None], axis=-1)
    i, j = np.unravel_index(int(np.argmax(np.triu(dist, 1))), dist.shape)
    return int(min(i, j)), int(max(i, j))


def mpd_axis(a: np.ndarray, b: np.ndarray, hand: str) -> np.ndarray:
    """The x axis of MPD's ``generateROI.m``: :math:`A \\to B` for a left
    hand, :math:`B \\to A` for a right one (A = index/middle gap, B =
    ring/little gap), so that the palm lies on the :math:`R_{90} u` side."""
    if hand not in ('l', 'r'):
        raise ValueError(f"palm ROI: hand must be 'l' or 'r', got {hand!r}")
    vec = b - a if hand == 'l' else a - b
    norm = np.linalg.norm(vec)
    if norm < _EPS:
        raise ValueError('palm ROI: the two finger gaps coincide')
    return vec / norm


def mpd_frame(a: Sequence[float],
              b: Sequence[float],
              hand: str,
              side: float = 7 / 6,
              offset: float = 1 / 6) -> RoiFrame:
    """The ROI of MPD's ``generateROI.m``: with :math:`L = |AB|` and
    :math:`m` the midpoint of AB, the square of side ``side``
    :math:`\\cdot L` centred on the AB direction and starting ``offset``
    :math:`\\cdot L` below the gap line:

    .. math::
        c = m - \\tfrac{side}{2} L\\, u + offset\\, L\\, p

    Args:
        a (Sequence[float]): Gap A (index/middle), (x, y).
        b (Sequence[float]): Gap B (ring/little), (x, y).
        hand (str): ``'l'`` or ``'r'`` (MPD file name field).
        side (float): Square side in units of L. Defaults to 7/6.
        offset (float): Distance below the gap line in units of L.
            Defaults to 1/6.

    Returns:
        RoiFrame: The square.
    """
    a, b = as_point(a, 'gap A'), as_point(b, 'gap B')
    u = mpd_axis(a, b, hand)
    p = perpendicular(u)
    length = float(np.linalg.norm(b - a))
    mid = (a + b) / 2
    corner = mid - side / 2 * length * u + offset * length * p
    return RoiFrame(corner, u, p, side * length, side * length)


def deepmpv_plus_frame(a: Sequence[float],
                       b: Sequence[float],
                       centre: Sequence[float],
                       offset: float = 0.5,
                       depth: float = 2.5,
                       width: float = 2.5) -> RoiFrame:
    """The ROI of the DeepMPV+ inference script: :math:`L = |AB|`,
    :math:`F` the foot of the perpendicular from the palm centre :math:`P`
    to line AB, :math:`p = (P - F) / |P - F|` (the direction the script
    rotates to point down), :math:`u = R_{90}^{-1} p = (p_y, -p_x)`, and
    rows :math:`[y_0 + offset\\,L, y_0 + (offset + depth) L)`, columns
    :math:`[x_0 - \\tfrac{width}{2} L, x_0 + \\tfrac{width}{2} L)` around the
    midpoint :math:`(x_0, y_0)` of AB in the rotated image:

    .. math::
        c = m - \\tfrac{width}{2} L\\, u + offset\\, L\\, p

    Args:
        a (Sequence[float]): One finger gap, (x, y).
        b (Sequence[float]): The other finger gap, (x, y).
        centre (Sequence[float]): Palm centre P, (x, y).
        offset (float): Start below the gap line, units of L.
            Defaults to 0.5.
        depth (float): ROI height, units of L. Defaults to 2.5.
        width (float): ROI width, units of L. Defaults to 2.5.

    Returns:
        RoiFrame: The rectangle (a square with the defaults).
    """
    a, b = as_point(a, 'gap A'), as_point(b, 'gap B')
    centre = as_point(centre, 'palm centre')
    length = float(np.linalg.norm(b - a))
    if length < _EPS:
        raise ValueError('palm ROI: the two finger gaps coincide')
    along = (b - a) / length
    foot = a + np.dot(centre - a, along) * along
    normal = centre - foot
    if np.linalg.norm(normal) < _EPS:
        raise ValueError('palm ROI: the palm centre lies on the gap line')
    p = normal / np.linalg.norm(normal)
    u = np.array([p[1], -p[0]])
    mid = (a + b) / 2
    corner = mid - width / 2 * length * u + offset * length * p
    return RoiFrame(corner, u, p, width * length, depth * length)


def order_gaps_for_hand(g1: Sequence[float], g2: Sequence[float],
                        centre: Sequence[float],
                        hand: str) -> Tuple[np.ndarray, np.ndarray]:
    """Name two unlabelled gaps (A, B) so that MPD's hand rule puts the
    palm centre on the palm side (:math:`R_{90} u \\cdot (P - m) > 0`); used
    when a detector finds gaps without telling index/middle from
    ring/little (ours)."""
    g1, g2 = as_point(g1, 'gap 1'), as_point(g2, 'gap 2')
    centre = as_point(centre, 'palm centre')
    u = mpd_axis(g1, g2, hand)
    side = float(np.dot(perpendicular(u), centre - (g1 + g2) / 2))
    return (g1, g2) if side > 0 else (g2, g1)
