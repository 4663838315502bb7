# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Content and style images from two folders (COCO + WikiArt style)."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS
from mmpretrain.structures import DataSample

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.ppm', '.pgm', '.tif',
                  '.tiff', '.webp')


@DATASETS.register_module()
class ContentStyleDataset(BaseDataset):
    """Pairs of a content image and a style image, as MANet and AdaIN train
    and test (`Arbitrary Style Transfer via Multi-Adaptation Network
    <https://arxiv.org/abs/2005.13219>`_: COCO train2014 contents, WikiArt
    styles).

    Training (``test_mode=False``): one item per content image; its style is
    drawn uniformly at random, and with ``with_dis_images`` one more
    content (``content1``) and style (``style1``) for MANet's
    disentanglement losses. ``seed=None`` draws from NumPy's global
    generator at every fetch (a new pairing each time, like the official
    independent infinite loaders; mmengine seeds it from
    ``randomness.seed`` and ``RandomStateCheckpointHook`` saves it, so
    ``--resume`` continues the same draws); an integer ``seed`` fixes the
    draws of each item (``seed``, index), a reproducible pairing.

    Test: every ``content x style`` pair, or the pairs listed in
    ``ann_file`` (one ``content_name style_name`` per line, names relative
    to the two folders; ``#`` starts a comment).

    Every image runs through ``pipeline`` on its own (its own random crop)
    and must come out as ``img`` (``HWC``); items are
    ``dict(inputs=dict(content=CHW uint8 tensor, style=..., ...),
    data_samples=DataSample)`` with ``content_path``/``style_path`` in the
    metainfo. Files without an image extension are skipped and counted in
    the log; an unreadable or missing image raises an error naming it.

    Args:
        data_prefix (dict): ``content`` and ``style`` folders (joined to
            ``data_root``).
        ann_file (str): Pair list for test mode; ``''`` = full product.
            Defaults to ''.
        seed (int, optional): See above. Defaults to None.
        with_dis_images (bool, optional): Add ``content1``/``style1``.
            Defaults to None (= not ``test_mode``).
        extensions (Sequence[str]): Image file extensions. Defaults to
            common image types.
        **kwargs: ``data_root``, ``pipeline``, ``test_mode``, ... of
            :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 data_prefix: dict,
                 ann_file: str = '',
                 seed: Optional[int] = None,
                 with_dis_images: Optional[bool] = None,
                 extensions: Sequence[str] = IMG_EXTENSIONS,
                 **kwargs) -> None:
        missing = {'content', 'style'} - set(data_prefix)
        if missing:
            raise KeyError('ContentStyleDataset: data_prefix needs content '
                           f'and style folders, missing {sorted(missing)}')
        self.seed = seed
        self.extensions = tuple(e.lower() for e in extensions)
        self.with_dis_images = with_dis_images
        self.contents: List[str] = []
        self.styles: List[str] = []
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)
        if self.with_dis_images is None:
            self.with_dis_images = not self.test_mode

    def load_data_list(self) -> List[dict]:
        """List both folders; pairs in test mode, contents in training."""
        self.contents = self._list_images('content')
        self.styles = self._list_images('style')
        if not self.test_mode:
            return [dict(content_path=path) for path in self.contents]
        if not self.ann_file:
            return [
                dict(content_path=c, style_path=s) for c in self.contents
                for s in self.styles
            ]
        return self._read_pairs()

    def _list_images(self, role: str) -> List[str]:
        folder = self.data_prefix[role]
        if not osp.isdir(folder):
            raise FileNotFoundError(
                f'ContentStyleDataset: {role} folder {folder} not found')
        names = sorted(os.listdir(folder))
        images = [n for n in names if n.lower().endswith(self.extensions)]
        skipped = len(names) - len(images)
        if skipped:
            print_log(
                f'ContentStyleDataset: skipped {skipped} non-image entries '
                f'in {folder}',
                logger='current')
        if not images:
            raise ValueError(
                f'ContentStyleDataset: no images in {role} folder {folder}')
        return [osp.join(folder, n) for n in images]

    def _read_pairs(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'ContentStyleDataset: pair list {self.ann_file} not found')
        pairs = []
        with open(self.ann_file) as f:
            for number, line in enumerate(f, 1):
                fields = line.split('#')[0].split()
                if not fields:
                    continue
                if len(fields) != 2:
                    raise ValueError(
                        f'{self.ann_file}:{number}: expected "content_name '
                        f'style_name", got {line.strip()!r}')
                pairs.append(self._pair(fields, number))
        if not pairs:
            raise ValueError(f'{self.ann_file}: no pairs listed')
        return pairs

    def _pair(self, names: List[str], number: int) -> dict:
        paths = {}
        for role, name in zip(('content', 'style'), names):
            path = osp.join(self.data_prefix[role], name)
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'{self.ann_file}:{number}: {role} image {path} not '
                    'found')
            paths[f'{role}_path'] = path
        return paths

    def prepare_data(self, idx: int) -> dict:
        """Load the item's images through the pipeline and pack them."""
        info = self.get_data_info(idx)
        if not self.test_mode:
            info.update(self._draw(idx))
        roles = [r for r in ('content', 'style', 'content1', 'style1')
                 if f'{r}_path' in info]
        inputs = {role: self._load(info[f'{role}_path']) for role in roles}
        sample = DataSample(
            metainfo={f'{r}_path': info[f'{r}_path']
                      for r in roles})
        sample.set_metainfo(dict(img_shape=tuple(inputs['content'].shape[1:])))
        return dict(inputs=inputs, data_samples=sample)

    def _draw(self, idx: int) -> Dict[str, str]:
        count = 3 if self.with_dis_images else 1
        if self.seed is None:
            picks = np.random.randint(0, 1 << 31, size=count)
        else:
            picks = np.random.default_rng([self.seed, idx]).integers(
                0, 1 << 31, size=count)
        draws = dict(style_path=self.styles[picks[0] % len(self.styles)])
        if self.with_dis_images:
            draws['content1_path'] = self.contents[picks[1] %
                                                   len(self.contents)]
            draws['style1_path'] = self.styles[picks[2] % len(self.styles)]
        return draws

    def _load(self, path: str) -> torch.Tensor:
        try:
            results = self.pipeline(dict(img_path=path))
        except Exception as err:
            raise RuntimeError(
                f'ContentStyleDataset: cannot read image {path}: '
                f'{type(err).__name__}: {err}') from err
        if results is None or 'img' not in results:
            raise RuntimeError(f'ContentStyleDataset: the pipeline gave no '
                               f'"img" for {path}')
        img = np.ascontiguousarray(results['img'])
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(f'ContentStyleDataset: {path} gave an image of '
                             f'shape {img.shape}, expected (H, W, 3)')
        return torch.from_numpy(img.transpose(2, 0, 1).copy())
