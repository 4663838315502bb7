# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Readers and writers of optical-flow files (.flo and KITTI 16-bit PNG)."""
import os
import os.path as osp
from typing import Optional, Tuple

import cv2
import numpy as np

# Middlebury / Sintel / FlyingChairs ``.flo``: float32 202021.25 ('PIEH').
FLO_MAGIC = 202021.25


def read_flow(path: str) -> np.ndarray:
    """Read a ``.flo`` file: magic, int32 width, int32 height, then
    ``H * W * 2`` float32 ``(u, v)`` interleaved, row major.

    Args:
        path (str): The file.

    Returns:
        np.ndarray: (H, W, 2) float32.
    """
    with open(path, 'rb') as f:
        header = f.read(12)
        if len(header) < 12:
            raise ValueError(f'{path}: not a .flo file (only {len(header)} '
                             'header bytes)')
        magic = np.frombuffer(header[:4], np.float32)[0]
        if magic != np.float32(FLO_MAGIC):
            raise ValueError(f'{path}: wrong .flo magic {magic!r} (expected '
                             f'{FLO_MAGIC})')
        width, height = np.frombuffer(header[4:], np.int32)
        if width <= 0 or height <= 0:
            raise ValueError(f'{path}: invalid .flo size {width}x{height}')
        data = np.frombuffer(f.read(), np.float32)
    expected = int(width) * int(height) * 2
    if data.size != expected:
        raise ValueError(f'{path}: .flo holds {data.size} values, header '
                         f'{width}x{height} needs {expected}')
    return data.reshape(int(height), int(width), 2).copy()


def write_flow(flow: np.ndarray, path: str) -> None:
    """Write (H, W, 2) flow as ``.flo`` (creates parent folders)."""
    flow = np.asarray(flow, np.float32)
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise ValueError(f'write_flow({path}): flow must be (H, W, 2), got '
                         f'{flow.shape}')
    _make_parent(path)
    height, width = flow.shape[:2]
    with open(path, 'wb') as f:
        np.array([FLO_MAGIC], np.float32).tofile(f)
        np.array([width, height], np.int32).tofile(f)
        flow.tofile(f)


def read_flow_kitti(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Read a KITTI flow PNG (16-bit RGB: ``u = (R - 2^15) / 64``,
    ``v = (G - 2^15) / 64``, valid where ``B > 0``).

    Returns:
        tuple: flow (H, W, 2) float32 (zero where invalid) and valid
        (H, W) float32 in {0, 1}.
    """
    raw = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if raw is None:
        raise ValueError(f'{path}: cannot be read as a KITTI flow PNG')
    if raw.dtype != np.uint16 or raw.ndim != 3 or raw.shape[2] != 3:
        raise ValueError(f'{path}: a KITTI flow PNG is 16-bit RGB, got '
                         f'{raw.dtype} {raw.shape}')
    valid = (raw[..., 0] > 0).astype(np.float32)
    flow = (raw[..., 2:0:-1].astype(np.float32) - 2**15) / 64.0
    flow *= valid[..., None]
    return flow, valid


def write_flow_kitti(flow: np.ndarray,
                     path: str,
                     valid: Optional[np.ndarray] = None) -> None:
    """Write flow as a KITTI 16-bit PNG (1/64 px steps, clipped to the
    format's +-512 px range; invalid pixels stored as zeros)."""
    flow = np.asarray(flow, np.float64)
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise ValueError(f'write_flow_kitti({path}): flow must be (H, W, 2), '
                         f'got {flow.shape}')
    if valid is None:
        valid = np.ones(flow.shape[:2])
    valid = np.asarray(valid) > 0
    encoded = np.clip(np.round(flow * 64.0 + 2**15), 0, 2**16 - 1)
    encoded[~valid] = 0
    png = np.zeros((*flow.shape[:2], 3), np.uint16)
    png[..., 2] = encoded[..., 0]
    png[..., 1] = encoded[..., 1]
    png[..., 0] = valid
    _make_parent(path)
    if not cv2.imwrite(path, png):
        raise OSError(f'write_flow_kitti: cannot write {path}')


def _make_parent(path: str) -> None:
    parent = osp.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
