# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Load a style transfer model and images for ``tools/style_transfer.py``."""
import os
import os.path as osp
from typing import Iterable, List, Sequence

import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmpretrain.registry import MODELS, TRANSFORMS

from .content_style_dataset import IMG_EXTENSIONS
from .style_transfer_model import BaseStyleTransfer


def load_style_model(config: str,
                     checkpoint: str,
                     device: str = 'cpu') -> BaseStyleTransfer:
    """Build the config's model and load ``checkpoint`` strictly (a
    checkpoint written by ``tools/train.py`` or
    ``tools/model_converters/manet_to_mm.py``)."""
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} not found')
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model_cfg = cfg.model.copy()
    model_cfg.encoder = dict(model_cfg.encoder, init_cfg=None)
    model = MODELS.build(model_cfg)
    load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.to(device).eval()


def test_pipeline(config: str) -> Compose:
    """The config's test pipeline (``test_dataloader.dataset.pipeline``)."""
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    return Compose(
        [TRANSFORMS.build(t) for t in cfg.test_dataloader.dataset.pipeline])


def list_images(paths: Iterable[str]) -> List[str]:
    """Image files of ``paths`` (files, or folders listed in sorted order);
    a missing path raises an error naming it."""
    files = []
    for path in paths:
        if osp.isdir(path):
            found = sorted(
                osp.join(path, n) for n in os.listdir(path)
                if n.lower().endswith(IMG_EXTENSIONS))
            if not found:
                raise ValueError(f'no images in folder {path}')
            files.extend(found)
        elif osp.isfile(path):
            files.append(path)
        else:
            raise FileNotFoundError(f'image or folder {path} not found')
    return files


def load_rgb(pipeline: Compose, path: str) -> torch.Tensor:
    """``(1, 3, H, W)`` RGB in [0, 1] through ``pipeline``; an unreadable
    image raises an error naming it."""
    try:
        img = pipeline(dict(img_path=path))['img']
    except Exception as err:
        raise RuntimeError(f'cannot read image {path}: '
                           f'{type(err).__name__}: {err}') from err
    rgb = np.ascontiguousarray(img[..., ::-1].transpose(2, 0, 1))
    return torch.from_numpy(rgb).float().div(255).unsqueeze(0)


def image_grid(rows: Sequence[Sequence[np.ndarray]],
               pad: int = 4) -> np.ndarray:
    """Tile ``H x W x 3`` uint8 images into one picture, one list per row
    (each image is padded with white to the largest height and width)."""
    if not rows or not all(rows):
        raise ValueError('image_grid needs at least one image per row')
    height = max(img.shape[0] for row in rows for img in row)
    width = max(img.shape[1] for row in rows for img in row)
    columns = max(len(row) for row in rows)
    grid = np.full((len(rows) * (height + pad) + pad,
                    columns * (width + pad) + pad, 3), 255, np.uint8)
    for r, row in enumerate(rows):
        for c, img in enumerate(row):
            top, left = pad + r * (height + pad), pad + c * (width + pad)
            grid[top:top + img.shape[0], left:left + img.shape[1]] = img
    return grid
