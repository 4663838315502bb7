# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Encoder-transfer-decoder style transfer models (MANet, AdaIN)."""
import time
from abc import abstractmethod
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.model import BaseModel
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor

from .style_losses import mean_std_style_loss, normalised_content_loss


class BaseStyleTransfer(BaseModel):
    """What MANet and AdaIN share: a frozen :class:`NormalisedVGG19Encoder`,
    a feature transfer at relu4_1 and a :class:`MirrorVGGDecoder`.

    Prediction (official ``test.py`` of `Arbitrary Style Transfer via
    Multi-Adaptation Network <https://arxiv.org/abs/2005.13219>`_) mixes
    the stylised features with the content's own ones and interpolates
    styles with weights :math:`w_i` (normalised to sum to 1):

    .. math::
        F = \\alpha \\sum_i w_i T(F_c, F_{s_i}) + (1 - \\alpha) T_0(F_c),
        \\qquad I_{cs} = D(F)

    where :math:`T_0(F_c) = \\operatorname{MA}(F_c, F_c)` for MANet and
    :math:`F_c` for AdaIN. The decoded image is cropped to the content
    size (the ceil-mode pooling makes it up to 7 pixels larger when a side
    is not a multiple of 8; ours, official sizes are multiples of 8).

    Predicted samples carry ``pred_img`` (``(3, H, W)``, clamped to [0, 1]
    as ``save_image``), the paper's content and style losses of that image
    (``content_loss``, ``style_loss``) and its share of the batch's wall
    time (``time``, CUDA synchronised).

    Args:
        encoder (dict): :class:`NormalisedVGG19Encoder` config.
        decoder (dict): :class:`MirrorVGGDecoder` config.
        alpha (float): Content-style trade-off of ``predict``. Defaults to
            1.0.
        data_preprocessor (dict, optional): Defaults to
            ``dict(type='StyleTransferDataPreprocessor')``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 encoder: dict,
                 decoder: dict,
                 alpha: float = 1.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='StyleTransferDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        _check_alpha(alpha)
        self.alpha = alpha
        self.encoder = MODELS.build(encoder)
        self.decoder = MODELS.build(decoder)
        if self.encoder.out_channels[3] != self.decoder.in_channels:
            raise ValueError(
                f'decoder.widths[3]={self.decoder.in_channels} must equal '
                f'the encoder relu4_1 width {self.encoder.out_channels[3]}')

    @abstractmethod
    def transfer(self, content: Tensor, style: Tensor) -> Tensor:
        """Stylised relu4_1 features :math:`T(F_c, F_s)`."""

    @abstractmethod
    def content_only(self, content: Tensor) -> Tensor:
        """The :math:`\\alpha = 0` features :math:`T_0(F_c)`."""

    @abstractmethod
    def loss(self, content: Tensor, style: Tensor,
             content1: Optional[Tensor],
             style1: Optional[Tensor]) -> Dict[str, Tensor]:
        """Training losses of one batch."""

    def encode(self, img: Tensor, num_taps: int = 5) -> List[Tensor]:
        """relu1_1.. taps of images in [0, 1]."""
        return self.encoder(img, num_taps)

    def decode(self, feat: Tensor, size: Tuple[int, int]) -> Tensor:
        """Decode relu4_1 features, cropped to ``size`` ``(H, W)``."""
        return self.decoder(feat)[..., :size[0], :size[1]]

    def stylise(self,
                content: Tensor,
                styles: Union[Tensor, Sequence[Tensor]],
                weights: Optional[Sequence[float]] = None,
                alpha: Optional[float] = None) -> Tensor:
        """Stylise ``content`` ``(B, 3, H, W)`` with one style batch or a
        list of them mixed by ``weights``; returns ``(B, 3, H, W)``
        (unclamped)."""
        alpha = self.alpha if alpha is None else alpha
        _check_alpha(alpha)
        styles = [styles] if isinstance(styles, Tensor) else list(styles)
        weights = _normalised_weights(weights, len(styles))
        content_feat = self.encode(content, 4)[3]
        feat = sum(w * self.transfer(content_feat, self.encode(s, 4)[3])
                   for w, s in zip(weights, styles))
        if alpha != 1.0:
            feat = alpha * feat + (1 - alpha) * self.content_only(
                content_feat)
        return self.decode(feat, content.shape[-2:])

    def forward(self,
                content: Tensor,
                style: Tensor,
                content1: Optional[Tensor] = None,
                style1: Optional[Tensor] = None,
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """``loss``: dict of losses; ``predict``: data samples with
        ``pred_img`` and the losses; ``tensor``: stylised images."""
        if mode == 'loss':
            return self.loss(content, style, content1, style1)
        if mode == 'predict':
            return self.predict(content, style, data_samples)
        if mode == 'tensor':
            return self.stylise(content, style)
        raise RuntimeError(f'Invalid mode "{mode}": use loss, predict or '
                           'tensor')

    def predict(
            self,
            content: Tensor,
            style: Tensor,
            data_samples: Optional[List[DataSample]] = None
    ) -> List[DataSample]:
        """Stylise, then score each image by the paper's content loss
        (against ``content``) and style loss (against ``style``)."""
        start = _synchronised_time(content)
        output = self.stylise(content, style).clamp(0, 1)
        seconds = (_synchronised_time(content) - start) / len(content)
        output_feats = self.encode(output)
        content_feats = self.encode(content)
        style_feats = self.encode(style)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(len(content))]
        for i, sample in enumerate(data_samples):
            one = slice(i, i + 1)
            sample.set_field(output[i], 'pred_img', field_type='data')
            sample.set_field(
                float(
                    normalised_content_loss([f[one] for f in output_feats],
                                            [f[one] for f in content_feats])),
                'content_loss',
                field_type='metainfo')
            sample.set_field(
                float(
                    mean_std_style_loss([f[one] for f in output_feats],
                                        [f[one] for f in style_feats])),
                'style_loss',
                field_type='metainfo')
            sample.set_field(seconds, 'time', field_type='metainfo')
        return data_samples


def _check_alpha(alpha: float) -> None:
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f'alpha must be in [0, 1], got {alpha}')


def _normalised_weights(weights: Optional[Sequence[float]],
                        count: int) -> List[float]:
    if count == 0:
        raise ValueError('stylise needs at least one style')
    if weights is None:
        if count > 1:
            raise ValueError(f'{count} styles need interpolation weights')
        return [1.0]
    if len(weights) != count or any(w < 0 for w in weights) or sum(
            weights) <= 0:
        raise ValueError(f'style weights {list(weights)} must be {count} '
                         'non-negative numbers with a positive sum')
    total = float(sum(weights))
    return [w / total for w in weights]


def _synchronised_time(tensor: Tensor) -> float:
    if tensor.is_cuda:
        torch.cuda.synchronize(tensor.device)
    return time.perf_counter()
