# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Generate a Sintel-like optical-flow set with exact ground truth.

Each scene is a textured background plus a few textured foreground shapes,
every layer moving under its own affine motion (rotation, zoom,
translation per frame). Textures are sums of random Gaussian blobs
evaluated at the exact continuous source position of every pixel, so
frames have no
resampling error and the flow ``M_{t+1}(M_t^{-1}(x)) - x`` of the visible
layer is exact; a pixel is occluded when its point leaves the frame or is
hidden by a nearer layer in the next frame.

Layout (MPI-Sintel's): ``training/{clean,final}/<scene>/frame_%04d.png``,
``training/flow/<scene>/frame_%04d.flo`` (frame i -> i + 1) and
``training/occlusions/<scene>/frame_%04d.png`` (255 = occluded). Scene names
are Sintel's, so ARFlow's 12-scene train/val split applies; ``final`` is
``clean`` with blur and noise. ``training/clean`` also reads as a raw-movie
tree (``SintelRaw``).

``--layout chairs`` writes independent two-frame scenes in the
FlyingChairs layout instead (``data/%05d_img1.ppm``, ``_img2.ppm``,
``_flow.flo``, ``FlyingChairs_train_val.txt``): every pair has its own
textures and motions, which a short training run needs to learn matching
rather than the motions of a dozen scenes by heart.

Examples:
    python tools/misc/make_flow_pairs.py data/demo/flow_pairs \\
        --train-scenes 12 --val-scenes 4 --frames 6 --height 64 --width 128
    python tools/misc/make_flow_pairs.py data/demo/flow_chairs \\
        --layout chairs --train-pairs 240 --val-pairs 20 --max-speed 8 \\
        --blob-area 120 --blob-sigma 3 8 --contrast 135
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, NamedTuple, Tuple

import cv2
import numpy as np

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from projects.arflow.datasets.flow_io import write_flow  # noqa: E402
from projects.arflow.datasets.sintel import SINTEL_TRAIN_SCENES  # noqa: E402

VAL_SCENES = ('alley_2', 'ambush_2', 'ambush_5', 'bamboo_1', 'bandage_1',
              'cave_4', 'market_6', 'mountain_1', 'shaman_3', 'sleeping_1',
              'temple_2')


class Texture(NamedTuple):
    """Blob texture of a layer: one Gaussian blob per ``blob_area`` px^2,
    sigma drawn log-uniformly in ``sigma`` px, colour offsets uniform in
    ``+-contrast`` around a random base colour."""
    blob_area: float = 30.0
    sigma: Tuple[float, float] = (1.5, 4.0)
    contrast: float = 90.0


class _Layer:
    """A textured layer: ``M_t(p) = R(a0 + t da) (s0 (1 + ds)^t) p + c0 +
    t v``; ``shape`` ('plane', 'box' or 'disc') in layer coordinates."""

    def __init__(self, rng: np.random.Generator, shape: str, centre,
                 half_size: float, speed: float, spin: float,
                 texture: Texture) -> None:
        self.shape = shape
        self.half = half_size
        self.a0 = rng.uniform(-0.3, 0.3)
        self.da = rng.uniform(-spin, spin)
        self.s0 = 1.0
        self.ds = rng.uniform(-0.02, 0.02)
        self.c0 = np.asarray(centre, np.float64)
        self.v = rng.uniform(-speed, speed, size=2)
        # Random Gaussian blobs over the layer's extent: broadband and
        # non-periodic, so the photometric loss has no false minima at a
        # texture period.
        extent = half_size if shape != 'plane' else float(
            max(np.abs(centre))) + 20
        count = int((2 * extent)**2 / texture.blob_area) + 1
        self.blob_xy = rng.uniform(-extent, extent, size=(count, 2))
        self.blob_sigma = np.exp(
            rng.uniform(*np.log(texture.sigma), size=count))
        self.blob_rgb = rng.uniform(
            -texture.contrast, texture.contrast, size=(count, 3))
        self.base = rng.uniform(70, 180, size=3)

    def _matrix(self, t: int) -> Tuple[np.ndarray, np.ndarray]:
        angle = self.a0 + t * self.da
        scale = self.s0 * (1 + self.ds)**t
        rot = np.array([[np.cos(angle), -np.sin(angle)],
                        [np.sin(angle), np.cos(angle)]])
        return rot * scale, self.c0 + t * self.v

    def to_layer(self, xy: np.ndarray, t: int) -> np.ndarray:
        mat, off = self._matrix(t)
        return (xy - off) @ np.linalg.inv(mat).T

    def to_image(self, p: np.ndarray, t: int) -> np.ndarray:
        mat, off = self._matrix(t)
        return p @ mat.T + off

    def covers(self, p: np.ndarray) -> np.ndarray:
        if self.shape == 'plane':
            return np.ones(p.shape[:-1], bool)
        if self.shape == 'box':
            return np.all(np.abs(p) <= self.half, axis=-1)
        return (p**2).sum(-1) <= self.half**2

    def colour(self, p: np.ndarray) -> np.ndarray:
        d2 = ((p[:, None, :] - self.blob_xy[None])**2).sum(-1)
        weight = np.exp(-d2 / (2 * self.blob_sigma**2))
        return self.base + weight @ self.blob_rgb


def _visible(layers: List[_Layer], xy: np.ndarray, t: int) -> np.ndarray:
    """Index of the nearest layer covering each point (last = nearest)."""
    index = np.zeros(xy.shape[:-1], np.int64)
    for i, layer in enumerate(layers[1:], 1):
        index[layer.covers(layer.to_layer(xy, t))] = i
    return index


def make_scene(rng: np.random.Generator, height: int, width: int,
               n_frames: int, n_objects: int = 3,
               max_speed: float = 3.0,
               texture: Texture = Texture()) -> Tuple[list, list, list]:
    """Frames (uint8 RGB), flows (H, W, 2) and occlusion masks (bool) of one
    scene; ``flows[i]`` maps frame i to frame i + 1."""
    layers = [
        _Layer(rng, 'plane', (width / 2, height / 2), 0, max_speed * 0.6,
               0.01, texture)
    ]
    for _ in range(n_objects):
        layers.append(
            _Layer(rng, str(rng.choice(['box', 'disc'])),
                   (rng.uniform(0.2, 0.8) * width,
                    rng.uniform(0.2, 0.8) * height),
                   rng.uniform(0.1, 0.22) * min(height, width) + 3,
                   max_speed, 0.03, texture))
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    xy = np.stack([xs, ys], -1)
    frames, flows, occs = [], [], []
    for t in range(n_frames):
        vis = _visible(layers, xy, t)
        image = np.zeros((height, width, 3))
        flow = np.zeros((height, width, 2))
        for i, layer in enumerate(layers):
            sel = vis == i
            p = layer.to_layer(xy[sel], t)
            image[sel] = layer.colour(p)
            flow[sel] = layer.to_image(p, t + 1) - xy[sel]
        frames.append(np.clip(np.round(image), 0, 255).astype(np.uint8))
        if t + 1 < n_frames:
            target = xy + flow
            inside = ((target[..., 0] >= 0) & (target[..., 0] <= width - 1) &
                      (target[..., 1] >= 0) & (target[..., 1] <= height - 1))
            occs.append(~inside | (_visible(layers, target, t + 1) != vis))
            flows.append(flow.astype(np.float32))
    return frames, flows, occs


def _final(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    blurred = cv2.GaussianBlur(frame.astype(np.float32), (3, 3), 0.8)
    noisy = blurred + rng.normal(0, 3.0, size=frame.shape)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


def write_scene(root: str, scene: str, rng: np.random.Generator,
                height: int, width: int, n_frames: int,
                max_speed: float = 3.0,
                texture: Texture = Texture()) -> None:
    """Write one scene into the Sintel ``training`` tree under ``root``."""
    frames, flows, occs = make_scene(
        rng, height, width, n_frames, max_speed=max_speed, texture=texture)
    for sub in ('clean', 'final', 'flow', 'occlusions'):
        os.makedirs(osp.join(root, 'training', sub, scene), exist_ok=True)
    for i, frame in enumerate(frames, 1):
        name = f'frame_{i:04d}.png'
        for sub, image in (('clean', frame), ('final', _final(frame, rng))):
            cv2.imwrite(
                osp.join(root, 'training', sub, scene, name),
                cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    for i, (flow, occ) in enumerate(zip(flows, occs), 1):
        write_flow(flow,
                   osp.join(root, 'training', 'flow', scene,
                            f'frame_{i:04d}.flo'))
        cv2.imwrite(
            osp.join(root, 'training', 'occlusions', scene,
                     f'frame_{i:04d}.png'),
            occ.astype(np.uint8) * 255)


def write_tree(root: str, train_scenes: int, val_scenes: int, n_frames: int,
               height: int, width: int, seed: int = 0,
               max_speed: float = 3.0,
               texture: Texture = Texture()) -> List[str]:
    """Write ``train_scenes`` of ARFlow's training scenes and ``val_scenes``
    of the others (Sintel layout); returns the scene names."""
    if not 0 < train_scenes <= len(SINTEL_TRAIN_SCENES):
        raise ValueError(f'--train-scenes must be in [1, '
                         f'{len(SINTEL_TRAIN_SCENES)}], got {train_scenes}')
    if not 0 <= val_scenes <= len(VAL_SCENES):
        raise ValueError(f'--val-scenes must be in [0, {len(VAL_SCENES)}], '
                         f'got {val_scenes}')
    if n_frames < 2:
        raise ValueError(f'--frames must be >= 2, got {n_frames}')
    rng = np.random.default_rng(seed)
    names = list(SINTEL_TRAIN_SCENES[:train_scenes]) + list(
        VAL_SCENES[:val_scenes])
    for scene in names:
        write_scene(root, scene, rng, height, width, n_frames, max_speed,
                    texture)
    return names


def write_chairs(root: str, train_pairs: int, val_pairs: int, height: int,
                 width: int, seed: int = 0, max_speed: float = 3.0,
                 texture: Texture = Texture()) -> int:
    """Write independent pairs in the FlyingChairs layout
    (``data/%05d_img1.ppm``, ``_img2.ppm``, ``_flow.flo`` and
    ``FlyingChairs_train_val.txt``, 1 = train, 2 = val); every pair is a new
    scene, so a network cannot learn the motions by heart. Returns the
    number of pairs."""
    if train_pairs < 1 or val_pairs < 0:
        raise ValueError('--train-pairs must be >= 1 and --val-pairs >= 0, '
                         f'got {train_pairs} and {val_pairs}')
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'data'), exist_ok=True)
    flags = ['1'] * train_pairs + ['2'] * val_pairs
    for i in range(len(flags)):
        frames, flows, _ = make_scene(
            rng, height, width, 2, max_speed=max_speed, texture=texture)
        stem = osp.join(root, 'data', f'{i + 1:05d}')
        for k, frame in enumerate(frames, 1):
            cv2.imwrite(f'{stem}_img{k}.ppm',
                        cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        write_flow(flows[0], f'{stem}_flow.flo')
    with open(osp.join(root, 'FlyingChairs_train_val.txt'), 'w') as f:
        f.write('\n'.join(flags) + '\n')
    return len(flags)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir')
    parser.add_argument(
        '--layout',
        choices=('sintel', 'chairs'),
        default='sintel',
        help='Sintel scenes of consecutive frames, or independent pairs '
        'in the FlyingChairs layout')
    parser.add_argument('--train-scenes', type=int, default=12)
    parser.add_argument('--val-scenes', type=int, default=4)
    parser.add_argument('--frames', type=int, default=6)
    parser.add_argument('--train-pairs', type=int, default=240,
                        help='chairs layout: training pairs')
    parser.add_argument('--val-pairs', type=int, default=20,
                        help='chairs layout: validation pairs')
    parser.add_argument('--height', type=int, default=64)
    parser.add_argument('--width', type=int, default=128)
    parser.add_argument('--max-speed', type=float, default=3.0,
                        help='largest object translation per frame (px); '
                        'the background moves at most 0.6 of it')
    parser.add_argument('--blob-area', type=float, default=30.0,
                        help='texture: one blob per this many px^2')
    parser.add_argument('--blob-sigma', type=float, nargs=2,
                        default=(1.5, 4.0), metavar=('MIN', 'MAX'))
    parser.add_argument('--contrast', type=float, default=90.0)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    texture = Texture(args.blob_area, tuple(args.blob_sigma), args.contrast)
    if args.layout == 'chairs':
        count = write_chairs(args.out_dir, args.train_pairs, args.val_pairs,
                             args.height, args.width, args.seed,
                             args.max_speed, texture)
        print(f'wrote {count} pairs of {args.height}x{args.width} to '
              f'{args.out_dir}')
        return
    names = write_tree(args.out_dir, args.train_scenes, args.val_scenes,
                       args.frames, args.height, args.width, args.seed,
                       args.max_speed, texture)
    print(f'wrote {len(names)} scenes x {args.frames} frames of '
          f'{args.height}x{args.width} to {args.out_dir}')


if __name__ == '__main__':
    main()
