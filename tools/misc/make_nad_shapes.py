# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generate the shape classes of the NAD demo.

Four visually distinct classes (circle, cross, square, triangle), each a
filled shape of random colour, position and size on dark noise, written for
mmpretrain's ``CustomDataset``::

    python tools/misc/make_nad_shapes.py data/nad_shapes --train 120 --val 40

Layout: ``ROOT/{train,val}/<class>/<n>.png``.
"""
import argparse
import os
import os.path as osp

import cv2
import numpy as np

# alphabetical: CustomDataset numbers the class folders in sorted order
SHAPE_CLASSES = ('circle', 'cross', 'square', 'triangle')


def draw_shape(rng: np.random.Generator, label: int, size: int) -> np.ndarray:
    """One BGR uint8 image of class ``label``."""
    if not 0 <= label < len(SHAPE_CLASSES):
        raise ValueError(f'label must be in [0, {len(SHAPE_CLASSES)}), '
                         f'got {label}')
    img = rng.integers(0, 70, (size, size, 3)).astype(np.uint8)
    color = tuple(int(v) for v in rng.integers(130, 256, 3))
    radius = int(rng.integers(size // 5, size * 2 // 5 + 1))
    cx, cy = (int(v) for v in rng.integers(radius, size - radius + 1, 2))
    name = SHAPE_CLASSES[label]
    if name == 'circle':
        cv2.circle(img, (cx, cy), radius, color, -1)
    elif name == 'square':
        cv2.rectangle(img, (cx - radius, cy - radius),
                      (cx + radius, cy + radius), color, -1)
    elif name == 'triangle':
        pts = np.array([[cx, cy - radius], [cx - radius, cy + radius],
                        [cx + radius, cy + radius]], np.int32)
        cv2.fillPoly(img, [pts], color)
    else:
        bar = max(radius // 3, 1)
        cv2.rectangle(img, (cx - radius, cy - bar), (cx + radius, cy + bar),
                      color, -1)
        cv2.rectangle(img, (cx - bar, cy - radius), (cx + bar, cy + radius),
                      color, -1)
    return img


def write_split(root: str, split: str, per_class: int, size: int,
                seed: int) -> None:
    """Write ``per_class`` images of every class under ``root/split``."""
    rng = np.random.default_rng(seed)
    for label, name in enumerate(SHAPE_CLASSES):
        folder = osp.join(root, split, name)
        os.makedirs(folder, exist_ok=True)
        for i in range(per_class):
            path = osp.join(folder, f'{i:04d}.png')
            if not cv2.imwrite(path, draw_shape(rng, label, size)):
                raise OSError(f'could not write {path}')


def make_shapes(root: str,
                train: int = 120,
                val: int = 40,
                size: int = 32,
                seed: int = 0) -> str:
    """Write both splits (different seeds) and return ``root``."""
    write_split(root, 'train', train, size, seed)
    write_split(root, 'val', val, size, seed + 1)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', help='output folder')
    parser.add_argument('--train',
                        type=int,
                        default=120,
                        help='training images per class')
    parser.add_argument('--val',
                        type=int,
                        default=40,
                        help='validation images per class')
    parser.add_argument('--size', type=int, default=32, help='image side')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    make_shapes(args.root, args.train, args.val, args.size, args.seed)
    print(f'NAD shapes written to {args.root}')


if __name__ == '__main__':
    main()
