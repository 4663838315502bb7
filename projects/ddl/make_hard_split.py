# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Add a degraded hard split to a generated face-identity set.

For the DDL demo: ``train_ddl/<id>/`` holds every training image
``train/<id>/<n>.png`` (easy) and its degraded copy ``<n>_hard.png`` (low
resolution, blur, a large in-plane rotation and a yaw-like horizontal
squeeze); ``split.txt`` marks each of them easy or hard; ``train/`` stays
easy-only (the set the starting model is trained on); and ``val_hard.bin`` repeats the pairs of ``val.bin`` with the
second image of each pair degraded the same way::

    python tools/misc/make_face_identities.py data/demo/faces ...
    python -m projects.ddl.make_hard_split data/demo/faces
"""
import argparse
import os
import os.path as osp
import pickle
import shutil
from typing import List

import cv2
import numpy as np


def degrade(img: np.ndarray,
            rng: np.random.Generator,
            scale: float = 0.25,
            blur_sigma: float = 1.0,
            max_rotation: float = 35.0,
            min_squeeze: float = 0.6) -> np.ndarray:
    """The hard version of ``img``: rotation and squeeze (pose), blur, then
    down- and up-sampling by ``scale`` (resolution); same size as ``img``."""
    h, w = img.shape[:2]
    angle = rng.choice([-1, 1]) * rng.uniform(0.5, 1.0) * max_rotation
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    squeeze = rng.uniform(min_squeeze, 1.0)
    m[0, :] *= squeeze
    m[0, 2] += (1 - squeeze) * w / 2
    out = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    out = cv2.GaussianBlur(out, (0, 0), blur_sigma)
    small = (max(int(round(w * scale)), 2), max(int(round(h * scale)), 2))
    out = cv2.resize(out, small, interpolation=cv2.INTER_AREA)
    return cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR)


def write_train_split(root: str, seed: int) -> List[str]:
    """``root/train_ddl/`` (easy and hard images) and ``root/split.txt``."""
    lines = []
    train = osp.join(root, 'train')
    for identity in sorted(os.listdir(train)):
        out_dir = osp.join(root, 'train_ddl', identity)
        os.makedirs(out_dir, exist_ok=True)
        for name in sorted(os.listdir(osp.join(train, identity))):
            stem, ext = osp.splitext(name)
            rng = np.random.default_rng([seed, len(lines)])
            img = cv2.imread(osp.join(train, identity, name))
            if img is None:
                raise ValueError(f'make_hard_split: cannot read '
                                 f'{osp.join(train, identity, name)}')
            hard = f'{stem}_hard{ext}'
            shutil.copyfile(osp.join(train, identity, name),
                            osp.join(out_dir, name))
            cv2.imwrite(osp.join(out_dir, hard), degrade(img, rng))
            lines += [f'{identity}/{name} easy', f'{identity}/{hard} hard']
    with open(osp.join(root, 'split.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return lines


def write_hard_pairs(root: str, seed: int) -> None:
    """``root/val_hard.bin``: ``val.bin`` with every second image
    degraded."""
    with open(osp.join(root, 'val.bin'), 'rb') as f:
        images, issame = pickle.load(f)
    out = list(images)
    rng = np.random.default_rng([seed, 11])
    for i in range(1, len(images), 2):
        img = cv2.imdecode(np.frombuffer(images[i], np.uint8),
                           cv2.IMREAD_COLOR)
        out[i] = cv2.imencode('.png', degrade(img, rng))[1].tobytes()
    with open(osp.join(root, 'val_hard.bin'), 'wb') as f:
        pickle.dump((out, issame), f, protocol=4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', help='a make_face_identities.py output')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    lines = write_train_split(args.root, args.seed)
    write_hard_pairs(args.root, args.seed)
    print(f'{len(lines)} images in {args.root}/split.txt, '
          f'{args.root}/val_hard.bin written')


if __name__ == '__main__':
    main()
