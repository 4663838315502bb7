# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""NAD's path hit rate on 2x2 mosaics (the official ``cam_2x2.py``)."""
import random
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image


def sample_mosaics(images_by_class: Dict[int, List[int]], num: int,
                   seed: int) -> List[Tuple[List[int], List[int]]]:
    """Draw ``num`` mosaics: 4 distinct classes each, one image per class.

    The official code draws unseeded; here ``random.Random(seed)`` makes the
    draw reproducible.

    Returns:
        list: (classes, image indices) per mosaic, quadrants row-major
        (top-left, top-right, bottom-left, bottom-right).
    """
    classes = sorted(c for c, idx in images_by_class.items() if idx)
    if len(classes) < 4:
        raise ValueError(f'NAD hit rate: 4 distinct classes with images are '
                         f'needed per mosaic, only {classes} available')
    rng = random.Random(seed)
    mosaics = []
    for _ in range(num):
        chosen = rng.sample(classes, 4)
        mosaics.append(
            (chosen, [rng.choice(images_by_class[c]) for c in chosen]))
    return mosaics


def make_mosaic(images: Sequence[np.ndarray], tile: int) -> np.ndarray:
    """Resize 4 HxWx3 uint8 images to tile x tile (Lanczos, the official
    ``ANTIALIAS``) and paste them 2x2 (row-major)."""
    if len(images) != 4:
        raise ValueError(f'make_mosaic: 4 images needed, got {len(images)}')
    mosaic = np.zeros((2 * tile, 2 * tile, 3), np.uint8)
    for q, img in enumerate(images):
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        tile_img = Image.fromarray(np.ascontiguousarray(img)).resize(
            (tile, tile), Image.LANCZOS)
        r, c = divmod(q, 2)
        mosaic[r * tile:(r + 1) * tile, c * tile:(c + 1) * tile] = tile_img
    return mosaic


def resize_image(img: np.ndarray, size: int) -> np.ndarray:
    """Bilinear resize of a uint8 image to size x size (the whole mosaic
    to the network input, as the official full-image crop does)."""
    return np.array(Image.fromarray(img).resize((size, size), Image.BILINEAR))


def activation_map(feature: torch.Tensor, size: int) -> Optional[np.ndarray]:
    """The official map of one gated layer output.

    .. math::
        A = \\mathrm{bicubic}_{size}\\Big(\\big\\lfloor 255\\,
            \\frac{S - \\min S}{\\max S - \\min S}\\big\\rfloor\\Big) / 255,
        \\quad S = \\sum_c F_c

    Args:
        feature (Tensor): One image's layer output, (C, h, w).
        size (int): Side of the map (the network input).

    Returns:
        np.ndarray or None: (size, size) in [0, 1]; None when the channel
        sum is constant (no map, e.g. a path with every channel closed).
    """
    cam = feature.detach().float().sum(0).cpu().numpy()
    low, high = float(cam.min()), float(cam.max())
    if not high > low:
        return None
    cam = np.uint8((cam - low) / (high - low) * 255)
    cam = Image.fromarray(cam).resize((size, size), Image.BICUBIC)
    return np.asarray(cam) / 255


def top_pixels(cam: np.ndarray, rate: float) -> np.ndarray:
    """Pixels above the ``int(rate * H * W)``-th largest value (official:
    ``cam > sorted(cam)[-k]``, so ties at the threshold are left out)."""
    count = int(rate * cam.size)
    if count < 1:
        raise ValueError(f'NAD hit rate: rate {rate} keeps no pixel of a '
                         f'{cam.shape} map')
    threshold = np.sort(cam.reshape(-1))[-count]
    return cam > threshold


def quadrant_hit(cam: np.ndarray, quadrant: int, rate: float) -> float:
    """Share of the top pixels that fall in ``quadrant`` (0..3 row-major);
    NaN when no pixel is above the threshold."""
    on = top_pixels(cam, rate)
    total = int(on.sum())
    if total == 0:
        return float('nan')
    half_h, half_w = cam.shape[0] // 2, cam.shape[1] // 2
    r, c = divmod(quadrant, 2)
    inside = on[r * half_h:(r + 1) * half_h, c * half_w:(c + 1) * half_w]
    return float(inside.sum()) / total


def layer_hits(features: Sequence[torch.Tensor], quadrant: int, size: int,
               rate: float) -> List[float]:
    """Hit of ``quadrant`` at every gated layer (NaN where undefined)."""
    hits = []
    for feature in features:
        cam = activation_map(feature, size)
        hits.append(
            float('nan') if cam is None else quadrant_hit(cam, quadrant, rate))
    return hits


@torch.no_grad()
def mosaic_hits(model: torch.nn.Module,
                gates,
                paths: Dict[int, Dict[str, torch.Tensor]],
                image: np.ndarray,
                classes: Sequence[int],
                rate: float,
                keep_maps: bool = False) -> Tuple[np.ndarray, list]:
    """Hits of one mosaic at every gated layer (the official protocol).

    For each quadrant q, class ``classes[q]``'s binary path is loaded into
    all gates, the mosaic goes through the network once, and every gated
    layer's map (:func:`activation_map`) gives the share of its top pixels
    inside quadrant q (:func:`quadrant_hit`).

    Args:
        model (nn.Module): The classifier with ``gates`` attached.
        gates (NADGates): Its gates (set to ``binary`` mode here).
        paths (dict): Class -> gate parameters m (position -> tensor).
        image (np.ndarray): The (S, S, 3) uint8 network input, in the
            pipeline's channel order.
        classes (list[int]): The 4 quadrant classes, row-major.
        rate (float): Top-pixel rate (official 0.1).
        keep_maps (bool): Also return the maps. Defaults to False.

    Returns:
        tuple: (L, 4) hits (NaN where undefined) and [layer][quadrant]
        maps (empty unless ``keep_maps``).
    """
    from .analysis_utils import preprocess
    from .nad_gates import classifier_logits
    inputs = preprocess(model, [image])
    size = image.shape[0]
    names = gates.positions
    hits = np.full((len(names), 4), np.nan)
    maps = [[None] * 4 for _ in names] if keep_maps else []
    gates.mode = 'binary'
    for q, label in enumerate(classes):
        gates.load_mask_state(paths[label])
        classifier_logits(model, inputs)
        for layer, name in enumerate(names):
            cam = activation_map(gates.activations[name][0], size)
            if cam is not None:
                hits[layer, q] = quadrant_hit(cam, q, rate)
            if keep_maps:
                maps[layer][q] = cam
    gates.activations = {}
    return hits, maps
