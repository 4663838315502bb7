# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Colour-wheel rendering of optical flow (Baker et al., Middlebury)."""
from typing import Optional

import numpy as np

# Hue segments of the Middlebury colour wheel: red-yellow, yellow-green,
# green-cyan, cyan-blue, blue-magenta, magenta-red.
_SEGMENTS = (15, 6, 4, 11, 13, 6)


def make_colorwheel() -> np.ndarray:
    """The 55 x 3 Middlebury colour wheel (0-255), red at angle 0."""
    wheel = []
    for i, n in enumerate(_SEGMENTS):
        ramp = np.arange(n) / n
        rise, fall = 255 * ramp, 255 * (1 - ramp)
        full, zero = np.full(n, 255.0), np.zeros(n)
        wheel.append([
            np.stack([full, rise, zero], 1),  # R -> Y
            np.stack([fall, full, zero], 1),  # Y -> G
            np.stack([zero, full, rise], 1),  # G -> C
            np.stack([zero, fall, full], 1),  # C -> B
            np.stack([rise, zero, full], 1),  # B -> M
            np.stack([full, zero, fall], 1),  # M -> R
        ][i])
    return np.concatenate(wheel, 0)


def flow_to_rgb(flow: np.ndarray,
                max_mag: Optional[float] = None) -> np.ndarray:
    """Render (H, W, 2) flow as an (H, W, 3) uint8 RGB image.

    Hue is the direction (``u > 0, v = 0`` red, as the Middlebury / Sintel
    visualisations), saturation the magnitude divided by ``max_mag`` (the
    largest magnitude by default); zero flow is white, and magnitudes above
    ``max_mag`` are darkened.

    Args:
        flow (np.ndarray): (H, W, 2) flow ``(u, v)``.
        max_mag (float, optional): Normalising magnitude. Defaults to None.

    Returns:
        np.ndarray: (H, W, 3) uint8.
    """
    flow = np.nan_to_num(np.asarray(flow, np.float64))
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise ValueError(f'flow_to_rgb: flow must be (H, W, 2), got '
                         f'{flow.shape}')
    u, v = flow[..., 0], flow[..., 1]
    mag = np.sqrt(u**2 + v**2)
    if max_mag is None:
        max_mag = float(mag.max())
    rad = mag / max(max_mag, 1e-8)
    wheel = make_colorwheel()
    n = len(wheel)
    pos = (np.arctan2(-v, -u) / np.pi + 1) / 2 * (n - 1)
    k0 = np.floor(pos).astype(int)
    k1 = (k0 + 1) % n
    frac = (pos - k0)[..., None]
    col = ((1 - frac) * wheel[k0] + frac * wheel[k1]) / 255
    inside = (rad <= 1)[..., None]
    r = rad[..., None]
    col = np.where(inside, 1 - r * (1 - col), col * 0.75)
    return np.clip(np.round(col * 255), 0, 255).astype(np.uint8)


def error_to_rgb(epe: np.ndarray, max_err: float = 3.0) -> np.ndarray:
    """End-point error (H, W) as a black (0) to white (``max_err``) image."""
    grey = np.clip(np.asarray(epe) / max_err, 0, 1) * 255
    return np.repeat(np.round(grey).astype(np.uint8)[..., None], 3, axis=2)
