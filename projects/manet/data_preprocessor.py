# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Batches content/style images as 0-1 RGB tensors."""
from typing import Dict, Optional, Sequence, Union

import torch
from mmengine.model import BaseDataPreprocessor
from mmpretrain.registry import MODELS
from torch import Tensor

ROLES = ('content', 'style', 'content1', 'style1')


@MODELS.register_module()
class StyleTransferDataPreprocessor(BaseDataPreprocessor):
    """Stacks the ``content``, ``style`` (and, for MANet's
    disentanglement losses, ``content1``, ``style1``) images of a batch and
    scales them to RGB in [0, 1], with no mean/std: the normalised VGG's
    leading 1x1 conv does the normalisation (`Arbitrary Style Transfer via
    Multi-Adaptation Network <https://arxiv.org/abs/2005.13219>`_, official
    ``ToTensor()`` inputs):

    .. math::
        x = \\mathrm{flip}_{BGR \\to RGB}(I) / 255

    Args:
        to_rgb (bool): Flip the channel order (images are loaded as BGR).
            Defaults to True.
        non_blocking (bool): Non-blocking device transfer. Defaults to
            False.
    """

    def __init__(self, to_rgb: bool = True,
                 non_blocking: Optional[bool] = False) -> None:
        super().__init__(non_blocking)
        self.to_rgb = to_rgb

    def forward(self, data: dict, training: bool = False) -> dict:
        """``dict(inputs=dict(content=[CHW uint8, ...], ...),
        data_samples=...)`` -> ``dict(content=(B, 3, H, W), ...,
        data_samples=...)``."""
        data = self.cast_data(data)
        inputs = data['inputs']
        if 'content' not in inputs or 'style' not in inputs:
            raise KeyError('StyleTransferDataPreprocessor: inputs need '
                           f'content and style, got {sorted(inputs)}')
        batch: Dict[str, Union[Tensor, list]] = {
            role: self._to_float(role, inputs[role])
            for role in ROLES if role in inputs
        }
        batch['data_samples'] = data.get('data_samples')
        return batch

    def _to_float(self, role: str,
                  images: Union[Tensor, Sequence[Tensor]]) -> Tensor:
        if not isinstance(images, Tensor):
            shapes = {tuple(img.shape) for img in images}
            if len(shapes) != 1:
                raise ValueError(
                    f'StyleTransferDataPreprocessor: {role} images of one '
                    f'batch differ in shape {sorted(shapes)}; crop them to '
                    'one size or use batch_size=1')
            images = torch.stack(list(images))
        if images.dim() != 4 or images.shape[1] != 3:
            raise ValueError(f'StyleTransferDataPreprocessor: {role} must be '
                             f'(B, 3, H, W), got {tuple(images.shape)}')
        images = images.float() / 255.0
        return images.flip(1) if self.to_rgb else images
