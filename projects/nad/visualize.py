# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Pictures of NAD: activation maps on a mosaic and path diagrams."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def draw_mosaic_maps(mosaic: np.ndarray,
                     cams: List[List[Optional[np.ndarray]]],
                     classes: Sequence[int],
                     layer_names: Sequence[str],
                     rate: float,
                     out_file: str,
                     class_names: Optional[Sequence[str]] = None) -> str:
    """Per-layer maps of the 4 classes of a mosaic (PNG).

    Row l, column q: the mosaic (RGB, network input size) with the top
    ``rate`` pixels of class q's map at layer l kept and the others dimmed
    (as the official pictures), quadrant q outlined.

    Args:
        mosaic (np.ndarray): (S, S, 3) RGB uint8 image fed to the network.
        cams (list[list]): [layer][quadrant] (S, S) maps or None.
        classes (list[int]): The quadrant classes.
        layer_names (list[str]): Gate position names.
        rate (float): Top-pixel rate.
        out_file (str): PNG path.
        class_names (list[str], optional): Names of all classes.

    Returns:
        str: ``out_file``.
    """
    from .hit_rate import top_pixels
    plt = _pyplot()
    size = mosaic.shape[0]
    rows = len(cams)
    fig, axes = plt.subplots(rows, 4, figsize=(8, 2 * rows), squeeze=False)
    for layer in range(rows):
        for q in range(4):
            ax = axes[layer][q]
            cam = cams[layer][q]
            img = mosaic.astype(np.float32)
            if cam is not None:
                keep = top_pixels(cam, rate)[..., None]
                img = np.where(keep, img, img * 0.2)
            ax.imshow(img.astype(np.uint8))
            r, c = divmod(q, 2)
            ax.add_patch(
                plt.Rectangle((c * size / 2, r * size / 2),
                              size / 2 - 1,
                              size / 2 - 1,
                              fill=False,
                              color='yellow',
                              lw=1))
            ax.set_xticks([])
            ax.set_yticks([])
            if layer == 0:
                name = (class_names[classes[q]]
                        if class_names else str(classes[q]))
                ax.set_title(f'class {name}', fontsize=8)
            if q == 0:
                ax.set_ylabel(layer_names[layer], fontsize=6)
    fig.tight_layout()
    fig.savefig(out_file, dpi=80)
    plt.close(fig)
    return out_file


def draw_path_diagram(paths: Dict[int, List[torch.Tensor]],
                      layer_names: Sequence[str],
                      out_file: str,
                      class_names: Optional[Sequence[str]] = None) -> str:
    """Open channels per layer of chosen classes (PNG).

    One panel per class: row l shows the C_l channels of layer l stretched
    to a common width (open = dark); a last panel plots the open fraction
    per layer of every class.

    Args:
        paths (dict): Class -> binary path (one (C_l,) tensor per layer).
        layer_names (list[str]): Gate position names.
        out_file (str): PNG path.
        class_names (list[str], optional): Names of all classes.

    Returns:
        str: ``out_file``.
    """
    if not paths:
        raise ValueError('draw_path_diagram: no class to draw')
    plt = _pyplot()
    width = max(int(p.numel()) for path in paths.values() for p in path)
    width = min(width, 512)
    fig, axes = plt.subplots(1,
                             len(paths) + 1,
                             figsize=(3 * (len(paths) + 1), 3),
                             squeeze=False)
    for ax, (label, path) in zip(axes[0], sorted(paths.items())):
        grid = np.zeros((len(path), width))
        for layer, open_ in enumerate(path):
            cols = np.arange(width) * open_.numel() // width
            grid[layer] = open_.numpy().astype(np.float32)[cols]
        ax.imshow(grid,
                  aspect='auto',
                  cmap='Greys',
                  vmin=0,
                  vmax=1,
                  interpolation='nearest')
        name = class_names[label] if class_names else str(label)
        ax.set_title(f'class {name}', fontsize=8)
        ax.set_xlabel('channel (relative)', fontsize=7)
        ax.set_yticks(range(len(layer_names)))
        ax.set_yticklabels(layer_names, fontsize=5)
        ax.set_xticks([])
    ax = axes[0][-1]
    for label, path in sorted(paths.items()):
        fractions = [float(p.float().mean()) for p in path]
        name = class_names[label] if class_names else str(label)
        ax.plot(range(len(path)), fractions, marker='.', label=name)
    ax.set_ylim(0, 1)
    ax.set_xlabel('gate', fontsize=7)
    ax.set_ylabel('open fraction', fontsize=7)
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(out_file, dpi=80)
    plt.close(fig)
    return out_file
