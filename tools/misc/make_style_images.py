# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generate content and style images for the MANet / AdaIN CPU demo.

Content images are scenes of flat and outlined shapes (polygons, ellipses,
lines) on smooth two-colour gradients: edges and regions for the content
loss to keep. Style images are textures (stripes, dots, checks, waves)
from random three-colour palettes: colour statistics and repeated
patterns for the style loss to transfer::

    python tools/misc/make_style_images.py data/demo/style_images \\
        --num-content 32 --num-style 16 --num-test 4 --size 96

Writes ``{train,test}/{content,style}/*.png``.
"""
import argparse
import os
import os.path as osp
from typing import Callable, Dict

import cv2
import numpy as np


def _palette(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 256, (3, 3))


def _gradient(size: int, rng: np.random.Generator) -> np.ndarray:
    start, end = rng.integers(0, 256, (2, 3))
    angle = rng.uniform(0, np.pi)
    ys, xs = np.mgrid[0:size, 0:size] / max(1, size - 1)
    t = np.cos(angle) * xs + np.sin(angle) * ys
    t = (t - t.min()) / max(1e-6, np.ptp(t))
    return (start + (end - start) * t[..., None]).astype(np.uint8)


def draw_content(size: int, rng: np.random.Generator) -> np.ndarray:
    """A BGR ``(size, size, 3)`` uint8 scene of shapes on a gradient."""
    if size < 16:
        raise ValueError(f'--size must be at least 16, got {size}')
    img = np.ascontiguousarray(_gradient(size, rng))
    for _ in range(int(rng.integers(3, 7))):
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        kind = rng.integers(0, 3)
        if kind == 0:
            points = rng.integers(0, size, (int(rng.integers(3, 6)), 2))
            cv2.fillPoly(img, [points.astype(np.int32)], colour)
        elif kind == 1:
            centre = tuple(int(v) for v in rng.integers(0, size, 2))
            axes = tuple(int(v) for v in rng.integers(size // 10, size // 3,
                                                       2))
            cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0,
                        360, colour, -1)
        else:
            start, end = rng.integers(0, size, (2, 2))
            cv2.line(img, tuple(int(v) for v in start),
                     tuple(int(v) for v in end), colour,
                     int(rng.integers(1, max(2, size // 16))))
    return img


def _stripes(size, rng, palette):
    period = rng.uniform(4, size / 4)
    angle = rng.uniform(0, np.pi)
    ys, xs = np.mgrid[0:size, 0:size]
    phase = (np.cos(angle) * xs + np.sin(angle) * ys) / period
    return palette[(np.floor(phase).astype(int)) % 3]


def _checks(size, rng, palette):
    cell = int(rng.integers(3, max(4, size // 6)))
    ys, xs = np.mgrid[0:size, 0:size] // cell
    return palette[(ys + 2 * xs) % 3]


def _waves(size, rng, palette):
    ys, xs = np.mgrid[0:size, 0:size] / size
    freq = rng.uniform(2, 8, 2)
    t = np.sin(2 * np.pi * (freq[0] * xs + np.sin(2 * np.pi * freq[1] * ys)))
    return palette[np.digitize(t, [-1 / 3, 1 / 3])]


def _dots(size, rng, palette):
    img = np.ascontiguousarray(
        np.broadcast_to(palette[0], (size, size, 3)).astype(np.uint8))
    for _ in range(int(rng.integers(size // 2, size * 2))):
        centre = tuple(int(v) for v in rng.integers(0, size, 2))
        colour = tuple(int(v) for v in palette[rng.integers(1, 3)])
        cv2.circle(img, centre, int(rng.integers(1, max(2, size // 12))),
                   colour, -1)
    return img


_TEXTURES: Dict[str, Callable] = dict(
    stripes=_stripes, checks=_checks, waves=_waves, dots=_dots)


def draw_style(size: int, rng: np.random.Generator) -> np.ndarray:
    """A BGR ``(size, size, 3)`` uint8 texture from a random palette."""
    if size < 16:
        raise ValueError(f'--size must be at least 16, got {size}')
    texture = list(_TEXTURES.values())[rng.integers(0, len(_TEXTURES))]
    img = texture(size, rng, _palette(rng)).astype(np.float64)
    img += rng.normal(0, 6, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def write_images(root: str,
                 num_content: int,
                 num_style: int,
                 num_test: int = 4,
                 size: int = 96,
                 seed: int = 0) -> Dict[str, int]:
    """Write ``{train,test}/{content,style}/*.png`` under ``root``.

    Returns:
        dict: Number of images written per folder.
    """
    if min(num_content, num_style, num_test) < 1:
        raise ValueError('every split needs at least one image')
    rng = np.random.default_rng(seed)
    counts = dict()
    plan = (('train', 'content', num_content, draw_content),
            ('train', 'style', num_style, draw_style),
            ('test', 'content', num_test, draw_content),
            ('test', 'style', num_test, draw_style))
    for split, role, count, draw in plan:
        folder = osp.join(root, split, role)
        os.makedirs(folder, exist_ok=True)
        for index in range(count):
            cv2.imwrite(
                osp.join(folder, f'{role}_{index:04d}.png'),
                draw(size, rng))
        counts[f'{split}/{role}'] = count
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root', help='output folder')
    parser.add_argument('--num-content', type=int, default=32)
    parser.add_argument('--num-style', type=int, default=16)
    parser.add_argument('--num-test', type=int, default=4)
    parser.add_argument('--size', type=int, default=96)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    counts = write_images(args.root, args.num_content, args.num_style,
                          args.num_test, args.size, args.seed)
    print(', '.join(f'{k}: {v}' for k, v in counts.items()))


if __name__ == '__main__':
    main()
