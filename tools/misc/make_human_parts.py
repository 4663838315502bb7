# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generate human figures with LIP part labels for the SemaTree demo.

Each image holds one front-facing figure (hair, face, upper clothes, arms,
pants, legs, shoes) on a noisy background, drawn with random pose, size and
colours; the label map uses LIP's ids, so the LIP tree and ``LIPDataset``
apply unchanged. The person's left limbs are on the image's right, as in
LIP, so a horizontal flip must swap the left/right labels::

    python tools/misc/make_human_parts.py data/demo/human_parts \\
        --num-train 200 --num-val 40 --size 64

Writes ``images/{train,val}/*.jpg`` and ``annotations/{train,val}/*.png``.
"""
import argparse
import os
import os.path as osp
from typing import Tuple

import cv2
import numpy as np

# LIP ids used by the figures.
HAIR, UPPER, PANTS, FACE = 2, 5, 9, 13
L_ARM, R_ARM, L_LEG, R_LEG, L_SHOE, R_SHOE = 14, 15, 16, 17, 18, 19


def _colour(rng: np.random.Generator, base: Tuple[int, int, int]) -> tuple:
    return tuple(int(v) for v in np.clip(
        np.array(base) + rng.integers(-40, 41, 3), 0, 255))


def _limb(img: np.ndarray, label: np.ndarray, start: tuple, end: tuple,
          width: int, colour: tuple, cls: int) -> None:
    cv2.line(img, start, end, colour, width)
    cv2.line(label, start, end, cls, width)


def draw_figure(size: int, rng: np.random.Generator
                ) -> Tuple[np.ndarray, np.ndarray]:
    """Draw one figure.

    Args:
        size (int): Image side in pixels (at least 32).
        rng (np.random.Generator): Random source.

    Returns:
        tuple: BGR image ``(size, size, 3)`` uint8 and label ``(size,
        size)`` uint8 with LIP ids.
    """
    if size < 32:
        raise ValueError(f'--size must be at least 32, got {size}')
    back = rng.integers(0, 256, 3)
    img = np.clip(back + rng.normal(0, 25, (size, size, 3)), 0,
                  255).astype(np.uint8)
    label = np.zeros((size, size), np.uint8)
    s = size * rng.uniform(0.75, 0.95) / 8.0  # a figure is ~8 units tall
    cx = int(size / 2 + rng.uniform(-0.1, 0.1) * size)
    top = int((size - 8 * s) / 2)

    def pt(x: float, y: float) -> tuple:
        return int(cx + x * s), int(top + y * s)

    w = max(2, int(0.5 * s))
    skin = _colour(rng, (150, 170, 220))
    shirt = _colour(rng, tuple(rng.integers(40, 216, 3)))
    trousers = _colour(rng, tuple(rng.integers(40, 216, 3)))
    shoes = _colour(rng, (30, 30, 30))
    # Legs and shoes; the person's left is the image's right.
    for side, leg, shoe in ((1, L_LEG, L_SHOE), (-1, R_LEG, R_SHOE)):
        knee = pt(side * 0.5, 6.0)
        foot = pt(side * rng.uniform(0.4, 1.0), 7.4)
        _limb(img, label, pt(side * 0.4, 5.0), knee, w, skin, leg)
        _limb(img, label, knee, foot, w, skin, leg)
        _limb(img, label, foot, (foot[0] + side * w, foot[1]), w, shoes, shoe)
    cv2.rectangle(img, pt(-0.9, 4.0), pt(0.9, 5.2), trousers, -1)
    cv2.rectangle(label, pt(-0.9, 4.0), pt(0.9, 5.2), PANTS, -1)
    # Arms hang or raise at random angles from the shoulders.
    for side, arm in ((1, L_ARM), (-1, R_ARM)):
        angle = rng.uniform(-0.3, 1.3)
        shoulder = pt(side * 1.0, 2.0)
        hand = (int(shoulder[0] + side * np.sin(angle) * 2.6 * s),
                int(shoulder[1] + np.cos(angle) * 2.6 * s))
        _limb(img, label, shoulder, hand, w, skin, arm)
    cv2.rectangle(img, pt(-1.0, 1.8), pt(1.0, 4.1), shirt, -1)
    cv2.rectangle(label, pt(-1.0, 1.8), pt(1.0, 4.1), UPPER, -1)
    head, radius = pt(0, 1.0), max(2, int(0.8 * s))
    cv2.circle(img, head, radius, skin, -1)
    cv2.circle(label, head, radius, FACE, -1)
    hair = _colour(rng, (20, 40, 60))
    cv2.ellipse(img, head, (radius, radius), 0, 180, 360, hair, -1)
    cv2.ellipse(label, head, (radius, radius), 0, 180, 360, HAIR, -1)
    img = np.clip(img + rng.normal(0, 6, img.shape), 0, 255).astype(np.uint8)
    return img, label


def write_split(root: str, split: str, num: int, size: int,
                seed: int) -> None:
    """Write ``num`` figures of one split under ``root``."""
    rng = np.random.default_rng(seed)
    img_dir = osp.join(root, 'images', split)
    ann_dir = osp.join(root, 'annotations', split)
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(ann_dir, exist_ok=True)
    for i in range(num):
        img, label = draw_figure(size, rng)
        cv2.imwrite(osp.join(img_dir, f'{i:05d}.jpg'), img,
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
        cv2.imwrite(osp.join(ann_dir, f'{i:05d}.png'), label)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out', help='output folder')
    parser.add_argument('--num-train', type=int, default=200)
    parser.add_argument('--num-val', type=int, default=40)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    write_split(args.out, 'train', args.num_train, args.size, args.seed)
    write_split(args.out, 'val', args.num_val, args.size, args.seed + 1)
    print(f'wrote {args.num_train} train and {args.num_val} val figures '
          f'of {args.size}x{args.size} to {args.out}')


if __name__ == '__main__':
    main()
