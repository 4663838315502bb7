# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""One NAD channel gate: a learnable per-channel factor on a feature map."""
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

GATE_MODES = ('search', 'binary', 'off')


@MODELS.register_module()
class ChannelGate(BaseModule):
    """A channel gate of Neural Architecture Disentanglement.

    `Architecture Disentanglement for Deep Neural Networks
    <https://arxiv.org/abs/2003.13268>`_ (ICCV 2021) puts one gate
    :math:`m \\in \\mathbb{R}^{C}` after a layer with C output channels:

    .. math::
        y = g(m) \\odot x, \\quad g(m) = \\begin{cases}
        \\sigma(m) & \\text{search} \\\\
        \\mathbb{1}[\\sigma(m) > 0.5] & \\text{binary (the concept's path)}
        \\\\ 1 & \\text{off (the original network)} \\end{cases}

    The gate parameter has the official shape ``(1, C, 1, 1)`` and starts
    from a standard normal draw. In ``off`` mode the input is returned
    untouched, so the network computes exactly what it computes without
    the gate.

    Args:
        channels (int): C, the channels of the gated feature map.
        mode (str): ``'search'``, ``'binary'`` or ``'off'``.
            Defaults to ``'search'``.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 channels: int,
                 mode: str = 'search',
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not isinstance(channels, int) or channels < 1:
            raise ValueError(
                f'ChannelGate: channels must be a positive int, got '
                f'{channels!r}')
        self.channels = channels
        self.mask = nn.Parameter(torch.randn(1, channels, 1, 1))
        self.mode = mode

    @property
    def mode(self) -> str:
        """The gate's mode: ``'search'``, ``'binary'`` or ``'off'``."""
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in GATE_MODES:
            raise ValueError(f'ChannelGate: mode must be one of {GATE_MODES}, '
                             f'got {value!r}')
        self._mode = value

    def reset(self, generator: Optional[torch.Generator] = None) -> None:
        """Redraw the gate parameter from N(0, 1) (the official init)."""
        with torch.no_grad():
            draw = torch.randn(self.mask.shape,
                               generator=generator,
                               dtype=self.mask.dtype)
            self.mask.copy_(draw.to(self.mask.device))

    def open_channels(self) -> torch.Tensor:
        """The binary path of this gate, ``sigmoid(m) > 0.5``, shape (C,)."""
        return torch.sigmoid(self.mask.detach()).flatten() > 0.5

    def factors(self) -> Optional[torch.Tensor]:
        """The factors g(m) of the current mode (None in ``off`` mode)."""
        if self._mode == 'off':
            return None
        probs = torch.sigmoid(self.mask)
        if self._mode == 'binary':
            return (probs > 0.5).to(probs.dtype)
        return probs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Gate the channels (dim 1) of ``x``, a (N, C, ...) tensor."""
        factors = self.factors()
        if factors is None:
            return x
        if x.ndim < 2 or x.shape[1] != self.channels:
            raise ValueError(
                f'ChannelGate: expects (N, {self.channels}, ...) inputs, got '
                f'shape {tuple(x.shape)}')
        shape = (1, self.channels) + (1, ) * (x.ndim - 2)
        return x * factors.reshape(shape).to(x.dtype)
