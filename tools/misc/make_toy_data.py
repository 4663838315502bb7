# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generate tiny, deterministic datasets for the three toolboxes.

They let the toy configs in ``configs/toy/`` train and evaluate a small
model of each toolbox on the CPU in seconds (used by the tests of
``tools/train.py`` / ``tools/test.py``)::

    python tools/misc/make_toy_data.py data/toy

Layout written under ROOT:

- ``cls/{train,val}/<class>/<n>.png``: 32x32 images whose dominant colour is
  the class (red, green, blue), for mmpretrain's ``CustomDataset``.
- ``det/{train,val}/<n>.png`` + ``det/{train,val}.json``: 64x64 noise images
  with 1-3 bright rectangles, COCO format, one class ``box``.
- ``seg/{img,ann}/{train,val}/<n>.png``: 32x32 images with a bright square;
  the label map has 0 for background and 1 for the square.
"""
import argparse
import json
import os
import os.path as osp
from typing import List

import cv2
import numpy as np

CLS_CLASSES = ('red', 'green', 'blue')


def _write(path: str, img: np.ndarray) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    if not cv2.imwrite(path, img):
        raise OSError(f'could not write {path}')


def make_cls(root: str, rng: np.random.Generator, per_class: int) -> None:
    """Colour classification: the class channel is the brightest."""
    for split in ('train', 'val'):
        for label, name in enumerate(CLS_CLASSES):
            for i in range(per_class):
                img = rng.integers(0, 80, (32, 32, 3)).astype(np.uint8)
                # OpenCV writes BGR: red is channel 2.
                img[..., 2 - label] = rng.integers(150, 256, (32, 32))
                _write(osp.join(root, 'cls', split, name, f'{i}.png'), img)


def _random_boxes(rng: np.random.Generator, size: int) -> List[List[int]]:
    boxes = []
    for _ in range(int(rng.integers(1, 4))):
        w, h = (int(v) for v in rng.integers(12, 28, 2))
        x, y = int(rng.integers(0, size - w)), int(rng.integers(0, size - h))
        boxes.append([x, y, w, h])
    return boxes


def make_det(root: str, rng: np.random.Generator, num: int) -> None:
    """Bright rectangles on dark noise, COCO json, one class."""
    for split in ('train', 'val'):
        images, annotations = [], []
        for i in range(num):
            img = rng.integers(0, 60, (64, 64, 3)).astype(np.uint8)
            for x, y, w, h in _random_boxes(rng, 64):
                img[y:y + h, x:x + w] = rng.integers(180, 256, 3)
                annotations.append(
                    dict(
                        id=len(annotations) + 1,
                        image_id=i + 1,
                        category_id=1,
                        bbox=[x, y, w, h],
                        area=w * h,
                        iscrowd=0))
            name = f'{i}.png'
            _write(osp.join(root, 'det', split, name), img)
            images.append(dict(id=i + 1, file_name=name, width=64, height=64))
        coco = dict(
            images=images,
            annotations=annotations,
            categories=[dict(id=1, name='box')])
        with open(osp.join(root, 'det', f'{split}.json'), 'w') as f:
            json.dump(coco, f)


def make_seg(root: str, rng: np.random.Generator, num: int) -> None:
    """A bright square on dark noise; label 1 inside, 0 outside."""
    for split in ('train', 'val'):
        for i in range(num):
            img = rng.integers(0, 60, (32, 32, 3)).astype(np.uint8)
            ann = np.zeros((32, 32), np.uint8)
            s = int(rng.integers(8, 20))
            x, y = (int(v) for v in rng.integers(0, 32 - s, 2))
            img[y:y + s, x:x + s] = rng.integers(180, 256, 3)
            ann[y:y + s, x:x + s] = 1
            _write(osp.join(root, 'seg', 'img', split, f'{i}.png'), img)
            _write(osp.join(root, 'seg', 'ann', split, f'{i}.png'), ann)


def make_toy_data(root: str, num: int = 16, seed: int = 0) -> str:
    """Write all three toy datasets under ``root`` and return it."""
    rng = np.random.default_rng(seed)
    make_cls(root, rng, per_class=num // 2)
    make_det(root, rng, num)
    make_seg(root, rng, num)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', help='output folder')
    parser.add_argument('--num', type=int, default=16,
                        help='images per split (classification: per class '
                        'half of it)')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    make_toy_data(args.root, args.num, args.seed)
    print(f'toy datasets written to {args.root}')


if __name__ == '__main__':
    main()
