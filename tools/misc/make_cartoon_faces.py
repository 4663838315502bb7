# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generate a deterministic cartoon-face detection set (iCartoonFace CSV).

Each image has a cluttered background, 0-5 drawn cartoon faces (varied head
shapes and aspect ratios, rotations, sizes from tiny to large, skin and hair
colours, eye/mouth/hair styles, occluders) and face-like distractors that
are not faces (featureless blobs, floating eye pairs, masks of shapes)::

    python tools/misc/make_cartoon_faces.py data/demo/cartoon_faces \
        --num-train 600 --num-val 150 --size 160

Layout under ROOT: ``images/{train,val}/<n>.jpg``; ``{train,val}.csv`` with
one row per face, ``image_name,x1,y1,x2,y2,face`` (the challenge's format;
image names are relative to ``images/<split>/``); ``{train,val}_list.txt``
naming every image (background images included).
"""
import argparse
import csv
import os
import os.path as osp
from typing import List, Optional, Tuple

import cv2
import numpy as np

SKIN = [(180, 200, 250), (140, 180, 230), (90, 130, 190), (60, 90, 140),
        (200, 220, 240), (120, 200, 130), (230, 190, 150), (170, 170, 255)]
HAIR = [(20, 20, 20), (30, 60, 120), (40, 40, 200), (200, 160, 40),
        (180, 60, 160), (60, 200, 240), (230, 230, 230), (0, 120, 60)]


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    top, bottom = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    ramp = np.linspace(0, 1, size)[:, None, None]
    img = (top * (1 - ramp) + bottom * ramp).repeat(size, axis=1)
    img = img.astype(np.uint8).copy()
    for _ in range(int(rng.integers(3, 12))):
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        kind = rng.integers(0, 3)
        p1 = tuple(int(v) for v in rng.integers(0, size, 2))
        p2 = tuple(int(v) for v in rng.integers(0, size, 2))
        if kind == 0:
            cv2.line(img, p1, p2, color, int(rng.integers(1, 4)))
        elif kind == 1:
            cv2.rectangle(img, p1, p2, color, -1 if rng.random() < .5 else 2)
        else:
            cv2.circle(img, p1, int(rng.integers(3, size // 5)), color,
                       -1 if rng.random() < .5 else 2)
    return img


def _draw_eyes(patch: np.ndarray, rng: np.random.Generator, c: float,
               w: float, h: float) -> None:
    style = rng.integers(0, 4)
    dx, y = w * rng.uniform(0.17, 0.26), c - h * rng.uniform(0.02, 0.15)
    r = max(1, int(min(w, h) * rng.uniform(0.05, 0.1)))
    for sx in (-1, 1):
        ctr = (int(c + sx * dx), int(y))
        if style == 0:
            cv2.circle(patch, ctr, r, (0, 0, 0), -1)
        elif style == 1:
            cv2.ellipse(patch, ctr, (r + 1, int(r * 1.6) + 1), 0, 0, 360,
                        (255, 255, 255), -1)
            cv2.circle(patch, ctr, max(1, r // 2 + 1), (0, 0, 0), -1)
        elif style == 2:
            cv2.line(patch, (ctr[0] - r, ctr[1]), (ctr[0] + r, ctr[1]),
                     (0, 0, 0), max(1, r // 2))
        else:
            cv2.ellipse(patch, ctr, (r, int(r * 2.2) + 1), 0, 0, 360,
                        (int(rng.integers(0, 200)), 60, 20), -1)
            cv2.circle(patch, (ctr[0] - r // 3, ctr[1] - r), max(1, r // 3),
                       (255, 255, 255), -1)


def _draw_mouth(patch: np.ndarray, rng: np.random.Generator, c: float,
                w: float, h: float) -> None:
    ctr = (int(c), int(c + h * rng.uniform(0.18, 0.3)))
    mw = max(1, int(w * rng.uniform(0.1, 0.25)))
    style = rng.integers(0, 3)
    thick = max(1, int(min(w, h) * 0.03))
    if style == 0:
        cv2.ellipse(patch, ctr, (mw, max(1, mw // 2)), 0, 10, 170,
                    (20, 20, 120), thick)
    elif style == 1:
        cv2.ellipse(patch, ctr, (mw, max(1, mw // 2)), 0, 0, 360,
                    (40, 30, 160), -1)
    else:
        cv2.line(patch, (ctr[0] - mw, ctr[1]), (ctr[0] + mw, ctr[1]),
                 (20, 20, 60), thick)


def _draw_hair(patch: np.ndarray, rng: np.random.Generator, c: float,
               w: float, h: float) -> None:
    color = HAIR[int(rng.integers(len(HAIR)))]
    style = rng.integers(0, 3)
    if style == 0:
        cv2.ellipse(patch, (int(c), int(c - h * 0.1)),
                    (int(w * 0.55), int(h * 0.5)), 0, 180, 360, color, -1)
    elif style == 1:
        for k in range(int(rng.integers(3, 7))):
            x = c - w / 2 + w * (k + 0.5) / 6
            pts = np.array([[x - w * .1, c - h * .35], [x, c - h * .7],
                            [x + w * .1, c - h * .35]], np.int32)
            cv2.fillPoly(patch, [pts], color)


def _face_patch(rng: np.random.Generator, w: float,
                h: float) -> Tuple[np.ndarray, np.ndarray]:
    """A face drawn on a square canvas, and the mask of its head."""
    side = int(max(w, h) * 1.8) + 4
    c = side / 2
    patch = np.zeros((side, side, 3), np.uint8)
    head = np.zeros((side, side), np.uint8)
    axes = (max(1, int(w / 2)), max(1, int(h / 2)))
    if rng.random() < 0.5:
        _draw_hair(patch, rng, c, w, h)
    cv2.ellipse(patch, (int(c), int(c)), axes, 0, 0, 360,
                SKIN[int(rng.integers(len(SKIN)))], -1)
    cv2.ellipse(patch, (int(c), int(c)), axes, 0, 0, 360, (0, 0, 0),
                max(1, int(min(w, h) * 0.03)))
    cv2.ellipse(head, (int(c), int(c)), axes, 0, 0, 360, 255, -1)
    _draw_eyes(patch, rng, c, w, h)
    _draw_mouth(patch, rng, c, w, h)
    alpha = ((patch.sum(axis=2) > 0) | (head > 0)).astype(np.uint8) * 255
    return np.dstack([patch, alpha]), head


def _distractor_patch(rng: np.random.Generator, w: float,
                      h: float) -> Tuple[np.ndarray, np.ndarray]:
    """Face-like things that are not faces."""
    side = int(max(w, h) * 1.8) + 4
    c = side / 2
    patch = np.zeros((side, side, 3), np.uint8)
    kind = rng.integers(0, 3)
    axes = (max(1, int(w / 2)), max(1, int(h / 2)))
    if kind == 0:  # a featureless skin-coloured blob
        cv2.ellipse(patch, (int(c), int(c)), axes, 0, 0, 360,
                    SKIN[int(rng.integers(len(SKIN)))], -1)
    elif kind == 1:  # eyes without a head
        _draw_eyes(patch, rng, c, w, h)
    else:  # a shape with a single mouth
        cv2.rectangle(patch, (int(c - w / 2), int(c - h / 2)),
                      (int(c + w / 2), int(c + h / 2)),
                      HAIR[int(rng.integers(len(HAIR)))], -1)
        _draw_mouth(patch, rng, c, w, h)
    alpha = (patch.sum(axis=2) > 0).astype(np.uint8) * 255
    return np.dstack([patch, alpha]), np.zeros(patch.shape[:2], np.uint8)


def _paste(img: np.ndarray, patch: np.ndarray, head: np.ndarray,
           angle: float, cx: float,
           cy: float) -> List[float]:
    """Rotate ``patch`` by ``angle``, paste it centred at (cx, cy); return
    the clipped box of the pasted head mask (empty list if none)."""
    side = patch.shape[0]
    rot = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    rot[:, 2] += (cx - side / 2, cy - side / 2)
    size = img.shape[1], img.shape[0]
    warped = cv2.warpAffine(patch, rot, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(head, rot, size, flags=cv2.INTER_NEAREST)
    alpha = warped[..., 3:].astype(np.float32) / 255
    img[:] = (img * (1 - alpha) + warped[..., :3] * alpha).astype(np.uint8)
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return []
    return [float(xs.min()), float(ys.min()), float(xs.max() + 1),
            float(ys.max() + 1)]


def _occlude(img: np.ndarray, rng: np.random.Generator,
             box: List[float]) -> None:
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    ox = x1 + rng.uniform(-0.2, 0.8) * w
    oy = y1 + rng.uniform(-0.2, 0.8) * h
    color = tuple(int(c) for c in rng.integers(0, 256, 3))
    cv2.rectangle(img, (int(ox), int(oy)),
                  (int(ox + w * rng.uniform(.2, .45)),
                   int(oy + h * rng.uniform(.2, .45))), color, -1)


def make_image(rng: np.random.Generator,
               size: int) -> Tuple[np.ndarray, List[List[float]]]:
    """One image and its face boxes (x1, y1, x2, y2)."""
    img = _background(rng, size)
    for _ in range(int(rng.integers(0, 3))):
        h = float(np.exp(rng.uniform(np.log(8), np.log(size * .4))))
        w = h * rng.uniform(0.5, 1.6)
        patch, head = _distractor_patch(rng, w, h)
        _paste(img, patch, head, rng.uniform(-40, 40),
               rng.uniform(0, size), rng.uniform(0, size))
    boxes = []
    num_faces = int(rng.choice([0, 1, 1, 2, 2, 3, 4, 5]))
    for _ in range(num_faces):
        h = float(np.exp(rng.uniform(np.log(8), np.log(size * .6))))
        w = h * rng.uniform(0.55, 1.6)
        patch, head = _face_patch(rng, w, h)
        box = _paste(img, patch, head, rng.uniform(-30, 30),
                     rng.uniform(w * .3, size - w * .3),
                     rng.uniform(h * .3, size - h * .3))
        if box and box[2] - box[0] >= 2 and box[3] - box[1] >= 2:
            boxes.append(box)
            if rng.random() < 0.2:
                _occlude(img, rng, box)
    return img, boxes


def make_split(root: str, split: str, num: int, size: int,
               seed: int) -> int:
    """Write ``num`` images of ``split``; returns the number of faces."""
    rng = np.random.default_rng(seed)
    img_dir = osp.join(root, 'images', split)
    os.makedirs(img_dir, exist_ok=True)
    rows, names = [], []
    for i in range(num):
        img, boxes = make_image(rng, size)
        name = f'{i:05d}.jpg'
        if not cv2.imwrite(osp.join(img_dir, name), img,
                           [cv2.IMWRITE_JPEG_QUALITY, 95]):
            raise OSError(f'could not write {osp.join(img_dir, name)}')
        names.append(name)
        rows += [[name, *(f'{v:.0f}' for v in box), 'face'] for box in boxes]
    with open(osp.join(root, f'{split}.csv'), 'w', newline='') as f:
        csv.writer(f).writerows(rows)
    with open(osp.join(root, f'{split}_list.txt'), 'w') as f:
        f.write('\n'.join(names) + '\n')
    return len(rows)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', help='output folder')
    parser.add_argument('--num-train', type=int, default=600)
    parser.add_argument('--num-val', type=int, default=150)
    parser.add_argument('--size', type=int, default=160,
                        help='image side in pixels')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    if args.num_train < 1 or args.num_val < 1:
        parser.error('--num-train and --num-val must be >= 1, got '
                     f'{args.num_train} and {args.num_val}')
    if args.size < 32:
        parser.error(f'--size must be >= 32 pixels, got {args.size}')
    for split, num, seed in (('train', args.num_train, args.seed),
                             ('val', args.num_val, args.seed + 1)):
        faces = make_split(args.root, split, num, args.size, seed)
        print(f'{split}: {num} images, {faces} faces -> {args.root}')


if __name__ == '__main__':
    main()
