# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Stack frame pairs into batches scaled to [0, 1]."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseDataPreprocessor
from mmseg.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class FlowDataPreprocessor(BaseDataPreprocessor):
    """Batch the frames of flow samples and divide by ``scale``.

    ARFlow feeds frames in [0, 1] (``/255``, no mean subtraction; official
    ``get_dataset.py``). Inputs are dicts with ``imgs`` (3 n_frames, H, W)
    and optionally ``imgs_ph`` (the appearance-augmented copies made by
    ``AppearanceJitter``); every key is stacked and scaled.

    Args:
        scale (float): Divisor of pixel values. Defaults to 255.
        non_blocking (bool): Defaults to False.
    """

    def __init__(self, scale: float = 255.0,
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking=non_blocking)
        self.scale = scale

    def forward(self, data: dict, training: bool = False) -> dict:
        """Stack ``data['inputs']`` (a dict of lists, or a list of dicts)."""
        data = self.cast_data(data)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            keys = {tuple(sorted(item)) for item in inputs}
            if len(keys) > 1:
                raise ValueError('FlowDataPreprocessor: inputs of one batch '
                                 f'have different keys {sorted(keys)}')
            inputs = {
                key: [item[key] for item in inputs]
                for key in inputs[0]
            } if inputs else {}
        if 'imgs' not in inputs:
            raise KeyError('FlowDataPreprocessor: inputs need an "imgs" entry '
                           '(pack samples with PackFlowInputs)')
        batch: Dict[str, Tensor] = {
            key: self._stack(key, value)
            for key, value in inputs.items()
        }
        return dict(inputs=batch, data_samples=data.get('data_samples'))

    def _stack(self, key: str, value: Union[Tensor, List[Tensor]]) -> Tensor:
        if isinstance(value, Tensor):
            stacked = value
        else:
            shapes = {tuple(v.shape) for v in value}
            if len(shapes) > 1:
                raise ValueError(
                    f'FlowDataPreprocessor: {key} of one batch differ in '
                    f'shape {sorted(shapes)}; resize them in the pipeline '
                    '(FlowResize) or use batch_size=1')
            stacked = torch.stack(list(value))
        return stacked.float() / self.scale
