# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generate a deterministic face-identity set for face-recognition demos.

Every identity is a procedurally drawn face (head shape, skin, hair, eye
spacing and size, brows, nose, mouth, a mark) fixed by its seed; each sample
of it varies pose (roll, yaw, scale, shift), lighting (directional gain,
brightness) and noise::

    python tools/misc/make_face_identities.py data/demo/faces \
        --num-ids 20 --per-id 12 --num-val-ids 10 --num-pairs 200 --size 32

Layout under ROOT: ``train/<identity>/<n>.png`` (identity folders for
``FaceIdentityDataset``); ``val.bin``, a pickle of (list of PNG bytes,
issame list) over held-out identities (``FaceBinPairDataset``); with
``--lfw``, ``lfw/<name>/<name>_<NNNN>.png`` and ``lfw/pairs.txt`` over the
same pairs (``LFWPairsDataset``). Pairs alternate same / different, so each
of the 10 folds is balanced.
"""
import argparse
import os
import os.path as osp
import pickle
from typing import List, Tuple

import cv2
import numpy as np

CANVAS = 112


def identity_params(identity: int, seed: int) -> dict:
    """The fixed look of one identity."""
    rng = np.random.default_rng([seed, identity])
    return dict(
        head=(int(rng.integers(30, 42)), int(rng.integers(38, 50))),
        skin=rng.integers(60, 240, 3),
        hair=rng.integers(0, 200, 3),
        hair_style=int(rng.integers(0, 3)),
        eye_dx=int(rng.integers(12, 22)),
        eye_y=int(rng.integers(-12, 0)),
        eye_r=int(rng.integers(3, 7)),
        iris=rng.integers(0, 160, 3),
        brow_tilt=int(rng.integers(-5, 6)),
        nose=int(rng.integers(6, 16)),
        mouth_w=int(rng.integers(8, 20)),
        mouth_y=int(rng.integers(18, 28)),
        mouth_curve=int(rng.integers(-5, 6)),
        mark=(int(rng.integers(-25, 26)), int(rng.integers(-20, 21))),
        mark_on=bool(rng.random() < 0.5))


def _c(color) -> Tuple[int, int, int]:
    return tuple(int(v) for v in color)


def draw_face(p: dict, rng: np.random.Generator) -> np.ndarray:
    """One sample of identity ``p`` on a 112x112 canvas (BGR)."""
    img = np.full((CANVAS, CANVAS, 3), rng.integers(20, 120), np.uint8)
    cx, cy = CANVAS // 2, CANVAS // 2 + 4
    yaw = rng.uniform(-0.35, 0.35)
    sx = int(p['head'][0] * (1 - abs(yaw) * 0.3))
    shift = int(yaw * 14)
    if p['hair_style'] < 2:
        cv2.ellipse(img, (cx, cy - 8), (p['head'][0] + 4, p['head'][1]), 0,
                    180, 360, _c(p['hair']), -1)
    cv2.ellipse(img, (cx, cy), (sx, p['head'][1]), 0, 0, 360, _c(p['skin']),
                -1)
    if p['hair_style'] == 1:
        cv2.rectangle(img, (cx - sx, cy - p['head'][1]),
                      (cx + sx, cy - p['head'][1] + 12), _c(p['hair']), -1)
    for side in (-1, 1):
        ex = cx + shift + side * int(p['eye_dx'] * (1 - side * yaw * 0.4))
        ey = cy + p['eye_y']
        cv2.circle(img, (ex, ey), p['eye_r'] + 2, (250, 250, 250), -1)
        cv2.circle(img, (ex, ey), p['eye_r'], _c(p['iris']), -1)
        by = ey - p['eye_r'] - 5
        cv2.line(img, (ex - 6, by + side * p['brow_tilt'] // 2),
                 (ex + 6, by - side * p['brow_tilt'] // 2), _c(p['hair']), 2)
    nose_top = (cx + shift, cy + p['eye_y'] + 4)
    cv2.line(img, nose_top, (cx + shift + 3, nose_top[1] + p['nose']),
             _c(p['skin'] * 0.6), 2)
    cv2.ellipse(img, (cx + shift, cy + p['mouth_y']),
                (p['mouth_w'], abs(p['mouth_curve']) + 1), 0,
                0 if p['mouth_curve'] >= 0 else 180,
                180 if p['mouth_curve'] >= 0 else 360, (40, 40, 160), 2)
    if p['mark_on']:
        cv2.circle(img, (cx + shift + p['mark'][0], cy + p['mark'][1]), 3,
                   (30, 30, 60), -1)
    return img


def augment(img: np.ndarray, rng: np.random.Generator,
            size: int) -> np.ndarray:
    """Pose (roll, scale, shift), lighting and noise; resize to ``size``."""
    m = cv2.getRotationMatrix2D((CANVAS / 2, CANVAS / 2), rng.uniform(-15, 15),
                                rng.uniform(0.9, 1.1))
    m[:, 2] += rng.uniform(-5, 5, 2)
    img = cv2.warpAffine(
        img, m, (CANVAS, CANVAS),
        borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:CANVAS, 0:CANVAS] / CANVAS - 0.5
    gain = 1 + rng.uniform(0.1,
                           0.5) * (np.cos(angle) * xs + np.sin(angle) * ys) * 2
    img = img * gain[..., None] * rng.uniform(0.7, 1.3)
    img = img + rng.normal(0, rng.uniform(0, 12), img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    return cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA)


def sample(identity: int, k: int, seed: int, size: int) -> np.ndarray:
    """Sample ``k`` of ``identity`` (deterministic)."""
    rng = np.random.default_rng([seed, identity, k, 1])
    return augment(draw_face(identity_params(identity, seed), rng), rng, size)


def make_pairs(ids: List[int], num_pairs: int,
               seed: int) -> List[Tuple[int, int, int, int]]:
    """(id1, sample1, id2, sample2) pairs, alternating same / different."""
    if len(ids) < 2:
        raise ValueError('make_face_identities: need >= 2 val identities')
    rng = np.random.default_rng([seed, 7])
    pairs = []
    for n in range(num_pairs):
        a, b = (int(v) for v in rng.choice(ids, 2, replace=False))
        if n % 2 == 0:
            pairs.append((a, 2 * n, a, 2 * n + 1))
        else:
            pairs.append((a, 2 * n, b, 2 * n + 1))
    return pairs


def write_train(root: str, num_ids: int, per_id: int, seed: int,
                size: int) -> None:
    """``root/train/<identity>/<n>.png``."""
    for identity in range(num_ids):
        folder = osp.join(root, 'train', f'id{identity:05d}')
        os.makedirs(folder, exist_ok=True)
        for k in range(per_id):
            cv2.imwrite(
                osp.join(folder, f'{k:03d}.png'),
                sample(identity, k, seed, size))


def write_pairs(root: str, pairs: list, seed: int, size: int,
                lfw: bool) -> None:
    """``root/val.bin`` and, with ``lfw``, ``root/lfw/`` + pairs.txt."""
    images, issame, lines = [], [], [f'10 {max(len(pairs) // 10, 1)}']
    for id1, k1, id2, k2 in pairs:
        for identity, k in ((id1, k1), (id2, k2)):
            img = sample(identity, k, seed, size)
            images.append(cv2.imencode('.png', img)[1].tobytes())
            if lfw:
                name = f'person{identity:05d}'
                os.makedirs(osp.join(root, 'lfw', name), exist_ok=True)
                cv2.imwrite(
                    osp.join(root, 'lfw', name, f'{name}_{k + 1:04d}.png'),
                    img)
        issame.append(id1 == id2)
        lines.append(f'person{id1:05d} {k1 + 1} {k2 + 1}' if id1 == id2 else
                     f'person{id1:05d} {k1 + 1} person{id2:05d} {k2 + 1}')
    with open(osp.join(root, 'val.bin'), 'wb') as f:
        pickle.dump((images, issame), f, protocol=4)
    if lfw:
        with open(osp.join(root, 'lfw', 'pairs.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root', help='output folder')
    parser.add_argument(
        '--num-ids', type=int, default=20, help='training identities')
    parser.add_argument(
        '--per-id', type=int, default=12, help='training samples per identity')
    parser.add_argument(
        '--num-val-ids',
        type=int,
        default=10,
        help='held-out identities of the pair set')
    parser.add_argument(
        '--num-pairs',
        type=int,
        default=200,
        help='verification pairs (half same)')
    parser.add_argument('--size', type=int, default=112, help='image side')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--lfw',
        action='store_true',
        help='also write an LFW-style folder and pairs.txt')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if min(args.num_ids, args.per_id, args.num_pairs, args.size) <= 0:
        raise SystemExit('make_face_identities: counts and size must be > 0')
    os.makedirs(args.root, exist_ok=True)
    write_train(args.root, args.num_ids, args.per_id, args.seed, args.size)
    val_ids = list(range(args.num_ids, args.num_ids + args.num_val_ids))
    pairs = make_pairs(val_ids, args.num_pairs, args.seed)
    write_pairs(args.root, pairs, args.seed, args.size, args.lfw)
    print(f'wrote {args.num_ids} x {args.per_id} training images and '
          f'{args.num_pairs} pairs of {args.num_val_ids} held-out identities '
          f'to {args.root}')


if __name__ == '__main__':
    main()
