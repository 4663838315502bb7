# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generate smartphone palm photos in the MPD layout for the DeepMPV+ demo.

Every hand (subject x left/right) is a procedurally drawn palm: a hand
silhouette (palm, four splayed fingers, thumb, wrist) whose finger gaps and
palm centre are known exactly, and a per-hand crease pattern (heart, head
and life lines and minor wrinkles as cubic Bezier curves). Every photo jitters
the creases and the finger spread, and draws a new rotation, scale, shift,
lighting, background and phone look (``h``/``m``: colour cast, blur,
noise)::

    python tools/misc/make_palms.py data/demo/palms --num-subjects 40 \\
        --iters 3 --size 256

Layout under ROOT (the MPD release's, plus our split and point files):

- ``original/{id}_{session}_{device}_{hand}_{iter}.jpg``: the photos
  (``009_2_h_l_10.jpg``: subject 009, session 2, phone h, left hand, 10th);
- ``Annotations/{stem}.xml``: VOC boxes ``finger_gap`` (one per labelled
  gap) and ``palm_center``, squares of ``--gap-box`` / ``--centre-box``
  times L (the distance of the two outer gaps) around the points;
- ``points.txt``: ``{file} {class} {x} {y} {tag}`` per point, tag ``A``
  (index/middle gap), ``M`` (middle/ring), ``B`` (ring/little), ``P``
  (palm centre); pixel centres at integers;
- ``ImageSets/Main/{train,val,test}.txt``: photo stems, split by subject
  (the last ``--test-subjects`` subjects are test, the ones before them
  val).
"""
import argparse
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np

CANVAS = 320
FINGER_W = 24.0
PALM_LEFT, PALM_TOP = 112.0, 110.0
PALM_W, PALM_H = 4 * FINGER_W, 150.0
CENTRE = (PALM_LEFT + PALM_W / 2, PALM_TOP + PALM_H / 2)
FINGER_LEN = (88.0, 100.0, 94.0, 70.0)  # index, middle, ring, little
GAP_TAGS = ('A', 'M', 'B')
SESSIONS, DEVICES, HANDS = (1, 2), ('h', 'm'), ('l', 'r')


def _bezier(ctrl: np.ndarray, num: int = 40) -> np.ndarray:
    """Points of a cubic Bezier curve, shape (num, 2)."""
    t = np.linspace(0, 1, num)[:, None]
    return ((1 - t)**3 * ctrl[0] + 3 * (1 - t)**2 * t * ctrl[1] +
            3 * (1 - t) * t**2 * ctrl[2] + t**3 * ctrl[3])


def _in_palm(rng: np.random.Generator, fx: Tuple[float, float],
             fy: Tuple[float, float]) -> np.ndarray:
    """A random point at palm fractions (x in fx, y in fy)."""
    return np.array([
        PALM_LEFT + rng.uniform(*fx) * PALM_W,
        PALM_TOP + rng.uniform(*fy) * PALM_H
    ])


def hand_params(subject: int, hand: str, seed: int) -> dict:
    """The fixed look of one hand: crease curves and finger lengths (the
    canonical hand is a left palm, thumb on the image's left)."""
    rng = np.random.default_rng([seed, subject, HANDS.index(hand)])
    heart = [_in_palm(rng, (0.92, 1.0), (0.12, 0.3)),
             _in_palm(rng, (0.55, 0.8), (0.05, 0.35)),
             _in_palm(rng, (0.3, 0.5), (0.05, 0.3)),
             _in_palm(rng, (0.15, 0.35), (0.0, 0.12))]
    head = [_in_palm(rng, (0.0, 0.08), (0.2, 0.35)),
            _in_palm(rng, (0.25, 0.45), (0.25, 0.5)),
            _in_palm(rng, (0.55, 0.75), (0.3, 0.55)),
            _in_palm(rng, (0.8, 0.98), (0.4, 0.65))]
    life = [_in_palm(rng, (0.0, 0.1), (0.22, 0.35)),
            _in_palm(rng, (0.3, 0.5), (0.35, 0.55)),
            _in_palm(rng, (0.3, 0.5), (0.7, 0.85)),
            _in_palm(rng, (0.2, 0.45), (0.95, 1.0))]
    minor = [
        np.stack([_in_palm(rng, (0.05, 0.95), (0.05, 0.95))] * 4) +
        np.cumsum(rng.normal(0, 9, (4, 2)), axis=0)
        for _ in range(int(rng.integers(3, 8)))
    ]
    curves = [np.stack(c) for c in (heart, head, life)] + minor
    return dict(
        curves=curves,
        widths=[float(rng.uniform(2.0, 3.5))] * 3 +
        [float(rng.uniform(1.0, 2.2)) for _ in minor],
        depths=[float(rng.uniform(0.3, 0.5))] * 3 +
        [float(rng.uniform(0.15, 0.35)) for _ in minor],
        finger_len=np.array(FINGER_LEN) * rng.uniform(0.9, 1.1, 4))


def subject_skin(subject: int, seed: int) -> np.ndarray:
    """Skin colour (BGR) of a subject, shared by both hands."""
    rng = np.random.default_rng([seed, subject, 7])
    return np.array([rng.uniform(100, 170), rng.uniform(135, 190),
                     rng.uniform(175, 235)])


def canonical_points() -> Dict[str, np.ndarray]:
    """Gaps A, M, B and palm centre P of the canonical hand, (x, y)."""
    pts = {
        tag: np.array([PALM_LEFT + FINGER_W * (k + 1), PALM_TOP])
        for k, tag in enumerate(GAP_TAGS)
    }
    pts['P'] = np.array(CENTRE)
    return pts


def _draw_silhouette(mask: np.ndarray, params: dict,
                     rng: np.random.Generator) -> None:
    """Palm, splayed fingers, thumb and wrist into ``mask`` (uint8)."""
    left, top = int(PALM_LEFT), int(PALM_TOP)
    right, bottom = int(PALM_LEFT + PALM_W), int(PALM_TOP + PALM_H)
    cv2.rectangle(mask, (left, top), (right, bottom - 20), 255, -1)
    cv2.ellipse(mask, ((left + right) // 2, bottom - 20),
                ((right - left) // 2, 24), 0, 0, 180, 255, -1)
    cv2.rectangle(mask, (left + 10, bottom - 20), (right - 6, CANVAS), 255,
                  -1)
    spread = np.cumsum(rng.uniform(2, 7, 4)) - 9
    for k in range(4):
        base = np.array([PALM_LEFT + FINGER_W * (k + 0.5), PALM_TOP + 10])
        ang = np.radians(spread[k])
        tip = base + params['finger_len'][k] * np.array(
            [np.sin(ang), -np.cos(ang)])
        cv2.line(mask, tuple(int(v) for v in base),
                 tuple(int(v) for v in tip), 255,
                 int(FINGER_W * 0.8), cv2.LINE_AA)
    thumb = np.radians(rng.uniform(35, 55))
    base = np.array([PALM_LEFT + 6, PALM_TOP + 105])
    tip = base + 85 * np.array([-np.sin(thumb), -np.cos(thumb)])
    cv2.line(mask, tuple(int(v) for v in base), tuple(int(v) for v in tip),
             255, int(FINGER_W * 0.95), cv2.LINE_AA)
    cv2.ellipse(mask, (left + 6, top + 95), (20, 48), 0, 0, 360, 255, -1)


def _crease_darkness(params: dict, rng: np.random.Generator,
                     jitter: float) -> np.ndarray:
    """Crease darkness in [0, 1] on the canvas, creases jittered by
    ``jitter`` canonical pixels."""
    dark = np.zeros((CANVAS, CANVAS), np.float32)
    for ctrl, width, depth in zip(params['curves'], params['widths'],
                                  params['depths']):
        pts = _bezier(ctrl + rng.normal(0, jitter, ctrl.shape))
        layer = np.zeros_like(dark)
        cv2.polylines(layer, [np.round(pts * 4).astype(np.int32)], False,
                      1.0, max(int(round(width * rng.uniform(0.85, 1.15))),
                               1), cv2.LINE_AA, shift=2)
        dark = np.maximum(dark, layer * depth)
    return cv2.GaussianBlur(dark, (3, 3), 0)


def _background(size: int, rng: np.random.Generator) -> np.ndarray:
    """A random smooth colour field with blobs (float BGR)."""
    small = rng.uniform(20, 235, (4, 4, 3)).astype(np.float32)
    bg = cv2.resize(small, (size, size), interpolation=cv2.INTER_CUBIC)
    for _ in range(int(rng.integers(2, 7))):
        centre = tuple(int(v) for v in rng.integers(0, size, 2))
        cv2.circle(bg, centre, int(rng.integers(size // 20, size // 5)),
                   tuple(float(v) for v in rng.uniform(0, 255, 3)), -1)
    return cv2.GaussianBlur(bg, (0, 0), 2)


def _placement(size: int, rng: np.random.Generator, rotation: float,
               scale: Tuple[float, float]) -> np.ndarray:
    """The 2x3 canonical -> photo map: random rotation, scale and shift
    about the palm centre."""
    angle = rng.uniform(-rotation, rotation)
    zoom = size / CANVAS * rng.uniform(*scale)
    mat = cv2.getRotationMatrix2D(CENTRE, angle, zoom)
    shift = np.array([size / 2, size * 0.55]) - np.array(CENTRE)
    mat[:, 2] += shift + rng.uniform(-0.06, 0.06, 2) * size
    return mat


def render_photo(params: dict, skin: np.ndarray, device: str, size: int,
                 rng: np.random.Generator, rotation: float = 30.0,
                 scale: Tuple[float, float] = (0.75, 1.0),
                 jitter: float = 1.2) -> Tuple[np.ndarray, dict]:
    """One photo of a hand.

    Args:
        params (dict): :func:`hand_params` of the hand (canonical = left).
        skin (np.ndarray): BGR skin colour.
        device (str): ``'h'`` or ``'m'`` (colour cast, blur, noise).
        size (int): Photo side.
        rng (np.random.Generator): The photo's random source.
        rotation (float): Max rotation in degrees. Defaults to 30.
        scale (tuple[float, float]): Zoom range. Defaults to (0.75, 1.0).
        jitter (float): Crease jitter (canonical px). Defaults to 1.2.

    Returns:
        tuple[np.ndarray, dict]: The BGR uint8 photo and the points
        ``{'A', 'M', 'B', 'P'}`` in photo pixels (canonical left hand).
    """
    mask = np.zeros((CANVAS, CANVAS), np.uint8)
    _draw_silhouette(mask, params, rng)
    grad = np.linspace(rng.uniform(0.75, 1.0), rng.uniform(1.0, 1.2),
                       CANVAS, dtype=np.float32)
    light = grad[:, None] if rng.random() < 0.5 else grad[None, :]
    hand = np.broadcast_to(light[..., None], (CANVAS, CANVAS, 1)) * \
        skin[None, None, :].astype(np.float32)
    hand *= 1 - _crease_darkness(params, rng, jitter)[..., None]
    mat = _placement(size, rng, rotation, scale)
    warp = lambda x: cv2.warpAffine(x, mat, (size, size),  # noqa: E731
                                    flags=cv2.INTER_LINEAR)
    alpha = warp(mask.astype(np.float32) / 255)[..., None]
    photo = warp(hand) * alpha + _background(size, rng) * (1 - alpha)
    photo *= rng.uniform(0.8, 1.15)
    cast = (1.0, 1.0, 1.08) if device == 'h' else (1.08, 1.0, 0.95)
    photo *= np.array(cast, np.float32)
    photo = cv2.GaussianBlur(photo, (0, 0), 0.4 if device == 'h' else 0.7)
    photo += rng.normal(0, 2.0 if device == 'h' else 4.0, photo.shape)
    points = {
        k: v @ mat[:, :2].T + mat[:, 2]
        for k, v in canonical_points().items()
    }
    return np.clip(photo, 0, 255).astype(np.uint8), points


def photo_name(subject: int, session: int, device: str, hand: str,
               iteration: int) -> str:
    """The MPD file name ``{id}_{session}_{device}_{hand}_{iter}.jpg``."""
    return f'{subject:03d}_{session}_{device}_{hand}_{iteration:02d}.jpg'


def voc_xml(name: str, size: int, boxes: List[Tuple[str, np.ndarray]]) -> str:
    """A VOC annotation (1-based pixel boxes) of one photo."""
    objects = ''.join(
        f'<object><name>{cls}</name><difficult>0</difficult><bndbox>'
        f'<xmin>{b[0]}</xmin><ymin>{b[1]}</ymin><xmax>{b[2]}</xmax>'
        f'<ymax>{b[3]}</ymax></bndbox></object>' for cls, b in boxes)
    return (f'<annotation><filename>{name}</filename><size><width>{size}'
            f'</width><height>{size}</height><depth>3</depth></size>'
            f'{objects}</annotation>\n')


def point_box(point: np.ndarray, side: float, size: int) -> np.ndarray:
    """A square VOC box (1-based, clipped) centred on the rounded point."""
    half = max(int(round(side / 2)), 1)
    x, y = (int(round(v)) for v in point)
    box = np.array([x - half, y - half, x + half, y + half]) + 1
    return np.clip(box, 1, size)


def _boxes(points: dict, gaps: str, gap_box: float, centre_box: float,
           size: int) -> List[Tuple[str, np.ndarray]]:
    """The VOC objects of one photo's points."""
    length = float(np.linalg.norm(points['B'] - points['A']))
    tags = GAP_TAGS if gaps == 'all' else ('A', 'B')
    boxes = [('finger_gap', point_box(points[t], gap_box * length, size))
             for t in tags]
    boxes.append(('palm_center',
                  point_box(points['P'], centre_box * length, size)))
    return boxes


def _mirror(img: np.ndarray, points: dict) -> Tuple[np.ndarray, dict]:
    """A right hand: the canonical left hand mirrored left-right."""
    width = img.shape[1]
    return img[:, ::-1].copy(), {
        k: np.array([width - 1 - v[0], v[1]])
        for k, v in points.items()
    }


def write_dataset(root: str,
                  num_subjects: int = 12,
                  iters: int = 2,
                  size: int = 256,
                  seed: int = 0,
                  val_subjects: int = 0,
                  test_subjects: int = 4,
                  gaps: str = 'all',
                  gap_box: float = 0.5,
                  centre_box: float = 1.0,
                  rotation: float = 30.0,
                  jitter: float = 1.2,
                  first_subject: int = 1) -> List[str]:
    """Write the photos, VOC files, points and split lists under ``root``.

    Returns:
        list[str]: The photo file names, in writing order.
    """
    if gaps not in ('all', 'outer'):
        raise ValueError(f"make_palms: gaps must be 'all' or 'outer', got "
                         f'{gaps!r}')
    if val_subjects + test_subjects > num_subjects:
        raise ValueError('make_palms: more val+test subjects than subjects')
    for sub in ('original', 'Annotations', 'ImageSets/Main'):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    subjects = list(range(first_subject, first_subject + num_subjects))
    num_train = num_subjects - val_subjects - test_subjects
    split_of = {s: 'train' if i < num_train else
                'val' if i < num_train + val_subjects else 'test'
                for i, s in enumerate(subjects)}
    names, lines = [], []
    splits: Dict[str, List[str]] = {'train': [], 'val': [], 'test': []}
    for subject in subjects:
        skin = subject_skin(subject, seed)
        for hand in HANDS:
            params = hand_params(subject, hand, seed)
            for session in SESSIONS:
                for device in DEVICES:
                    for it in range(1, iters + 1):
                        name = photo_name(subject, session, device, hand, it)
                        rng = np.random.default_rng(
                            [seed, subject, HANDS.index(hand), session,
                             DEVICES.index(device), it, 1])
                        img, pts = render_photo(
                            params, skin, device, size, rng,
                            rotation=rotation, jitter=jitter)
                        if hand == 'r':
                            img, pts = _mirror(img, pts)
                        cv2.imwrite(osp.join(root, 'original', name), img,
                                    [cv2.IMWRITE_JPEG_QUALITY, 95])
                        stem = osp.splitext(name)[0]
                        with open(osp.join(root, 'Annotations',
                                           stem + '.xml'), 'w') as f:
                            f.write(voc_xml(name, size, _boxes(
                                pts, gaps, gap_box, centre_box, size)))
                        for tag in GAP_TAGS + ('P', ):
                            if gaps == 'outer' and tag == 'M':
                                continue
                            cls = 'palm_center' if tag == 'P' \
                                else 'finger_gap'
                            x, y = pts[tag]
                            lines.append(f'{name} {cls} {x:.2f} {y:.2f} '
                                         f'{tag}')
                        names.append(name)
                        splits[split_of[subject]].append(stem)
    with open(osp.join(root, 'points.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    for split, stems in splits.items():
        with open(osp.join(root, 'ImageSets', 'Main', split + '.txt'),
                  'w') as f:
            f.write(''.join(s + '\n' for s in stems))
    return names


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root', help='output folder')
    parser.add_argument('--num-subjects', type=int, default=40)
    parser.add_argument('--iters', type=int, default=3,
                        help='photos per hand, session and phone (MPD: 10)')
    parser.add_argument('--size', type=int, default=256, help='photo side')
    parser.add_argument('--val-subjects', type=int, default=0)
    parser.add_argument('--test-subjects', type=int, default=10)
    parser.add_argument('--gaps', choices=['all', 'outer'], default='all',
                        help='label all three finger gaps or only A and B')
    parser.add_argument('--gap-box', type=float, default=0.5,
                        help='finger-gap box side in units of L')
    parser.add_argument('--centre-box', type=float, default=1.0,
                        help='palm-centre box side in units of L')
    parser.add_argument('--rotation', type=float, default=30.0,
                        help='max rotation in degrees')
    parser.add_argument('--jitter', type=float, default=1.2,
                        help='per-photo crease jitter (canonical pixels)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    names = write_dataset(
        args.root, args.num_subjects, args.iters, args.size, args.seed,
        args.val_subjects, args.test_subjects, args.gaps, args.gap_box,
        args.centre_box, args.rotation, args.jitter)
    print(f'make_palms: {len(names)} photos of {2 * args.num_subjects} '
          f'hands written to {args.root}')


if __name__ == '__main__':
    main()
