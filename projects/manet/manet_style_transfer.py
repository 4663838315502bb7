# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet: the full style transfer model with its training losses."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS
from torch import Tensor

from .style_losses import (feature_identity_loss, mean_std_style_loss,
                           normalised_content_loss)
from .style_transfer_model import BaseStyleTransfer

_DIS_SAMPLINGS = ('paper', 'official')


@MODELS.register_module()
class MANetStyleTransfer(BaseStyleTransfer):
    """`Arbitrary Style Transfer via Multi-Adaptation Network
    <https://arxiv.org/abs/2005.13219>`_ (ACM MM 2020).

    :math:`I_{cs} = D(\\operatorname{MA}(F_c, F_s))` with the frozen
    encoder's relu4_1 features :math:`F`. One training step decodes

    - :math:`I_{cs}` (content batch with style batch),
    - :math:`I_{cs_1} = D(\\operatorname{MA}(F_c, F_{s_1}))`: every content
      with one style :math:`s_1`, for :math:`L_{dis\\_s}`,
    - :math:`I_{c_1s} = D(\\operatorname{MA}(F_{c_1}, F_s))`: one content
      :math:`c_1` with every style, for :math:`L_{dis\\_c}`,
    - :math:`I_{cc}, I_{ss}` (identity: content and style with themselves),

    and returns (weights and gate in :class:`MANetLoss`)

    .. math::
        L_c = \\textstyle\\sum_{4,5} \\|\\bar\\phi(I_{cs}) -
        \\bar\\phi(I_c)\\|^2, \\quad
        L_s = \\textstyle\\sum_{1..5} \\|\\mu(\\phi(I_{cs})) -
        \\mu(\\phi(I_s))\\|^2 + \\|\\sigma(\\cdot) - \\sigma(\\cdot)\\|^2

        L_{dis\\_c} = L_c(I_{c_1s_i}, I_{c_1s_j}), \\quad
        L_{dis\\_s} = L_s(I_{c_is_1}, I_{c_js_1})

        L_{id1} = \\|I_{cc} - I_c\\|^2 + \\|I_{ss} - I_s\\|^2, \\quad
        L_{id2} = \\textstyle\\sum_{1..5} \\|\\phi(I_{cc}) - \\phi(I_c)\\|^2 +
        \\|\\phi(I_{ss}) - \\phi(I_s)\\|^2

    (all squared norms are means, :math:`\\bar\\phi` the instance-normalised
    features). ``dis_sampling`` chooses :math:`c_1, s_1` and the pairs
    :math:`(i, j)`:

    - ``'paper'``: one content and one style image (the first of the
      batch's ``content1``/``style1``) expanded to the batch, so the dis
      batches really share their content or style; each stylisation is
      compared with the next one in the batch (:math:`j = i + 1 \\bmod B`,
      never itself; a batch of 1 has no pair and gives 0).
    - ``'official'``: the released ``train.py``: ``content1``/``style1``
      are whole batches (its ``expand`` is a no-op), and every term compares
      two independent random permutations of the batch (per layer and side,
      so some pairs coincide and give 0), drawn from torch's generator.

    Args:
        encoder (dict): :class:`NormalisedVGG19Encoder` config.
        ma_module (dict): :class:`MultiAdaptationModule` config.
        decoder (dict): :class:`MirrorVGGDecoder` config.
        loss (dict): :class:`MANetLoss` config. Defaults to
            ``dict(type='MANetLoss')`` (1, 5, 50, 1, gate 10).
        dis_sampling (str): ``'paper'`` or ``'official'``. Defaults to
            ``'paper'``.
        alpha (float): Content-style trade-off at prediction. Defaults to
            1.0.
        data_preprocessor (dict, optional): Defaults to
            ``dict(type='StyleTransferDataPreprocessor')``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 encoder: dict,
                 ma_module: dict,
                 decoder: dict,
                 loss: Optional[dict] = None,
                 dis_sampling: str = 'paper',
                 alpha: float = 1.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            encoder=encoder,
            decoder=decoder,
            alpha=alpha,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if dis_sampling not in _DIS_SAMPLINGS:
            raise ValueError(f'model.dis_sampling must be one of '
                             f'{_DIS_SAMPLINGS}, got {dis_sampling!r}')
        self.dis_sampling = dis_sampling
        self.ma_module = MODELS.build(ma_module)
        self.loss_module = MODELS.build(loss or dict(type='MANetLoss'))

    def transfer(self, content: Tensor, style: Tensor) -> Tensor:
        """:math:`\\operatorname{MA}(F_c, F_s)`."""
        return self.ma_module(content, style)

    def content_only(self, content: Tensor) -> Tensor:
        """:math:`\\operatorname{MA}(F_c, F_c)`."""
        return self.ma_module(content, content)

    def loss(self, content: Tensor, style: Tensor,
             content1: Optional[Tensor],
             style1: Optional[Tensor]) -> Dict[str, Tensor]:
        """The MANet losses of one batch (see the class docstring)."""
        if content1 is None or style1 is None:
            raise ValueError('MANet training needs content1 and style1 '
                             'batches (ContentStyleDataset with '
                             'with_dis_images=True)')
        if content.shape != style.shape:
            raise ValueError('MANet training needs content and style crops '
                             f'of one size, got {tuple(content.shape)} and '
                             f'{tuple(style.shape)}')
        size = content.shape[-2:]
        fc, fs = self.encode(content), self.encode(style)
        fc1, fs1 = self._dis_features(content1, style1, len(content))
        stylised = self._decode_all(
            size,
            ics=(fc[3], fs[3]),
            ics1=(fc[3], fs1[3]),
            ic1s=(fc1[3], fs[3]),
            icc=(fc[3], fc[3]),
            iss=(fs[3], fs[3]))
        feats = {name: self.encode(img) for name, img in stylised.items()}
        terms = dict(
            loss_content=normalised_content_loss(feats['ics'], fc),
            loss_style=mean_std_style_loss(feats['ics'], fs),
            loss_dis_content=normalised_content_loss(
                *self._dis_pair(feats['ic1s'], used=(3, 4))),
            loss_dis_style=mean_std_style_loss(
                *self._dis_pair(feats['ics1'], used=(0, 1, 2, 3, 4))),
            loss_identity1=F.mse_loss(stylised['icc'], content) +
            F.mse_loss(stylised['iss'], style),
            loss_identity2=feature_identity_loss(feats['icc'], fc) +
            feature_identity_loss(feats['iss'], fs))
        return self.loss_module(terms)

    def _dis_features(self, content1: Tensor, style1: Tensor,
                      batch: int) -> Tuple[List[Tensor], List[Tensor]]:
        if self.dis_sampling == 'official':
            if len(content1) != batch or len(style1) != batch:
                raise ValueError('dis_sampling="official" needs content1 and '
                                 f'style1 batches of {batch}')
            return self.encode(content1), self.encode(style1)
        # Encode the one image once; its features expanded to the batch equal
        # the features of the image expanded to the batch.
        return ([f.expand(batch, -1, -1, -1)
                 for f in self.encode(content1[:1])],
                [f.expand(batch, -1, -1, -1)
                 for f in self.encode(style1[:1])])

    def _decode_all(self, size: torch.Size,
                    **pairs: Tuple[Tensor, Tensor]) -> Dict[str, Tensor]:
        return {
            name: self.decode(self.ma_module(c, s), size)
            for name, (c, s) in pairs.items()
        }

    def _dis_pair(self, feats: List[Tensor],
                  used: Tuple[int, ...]) -> Tuple[List[Tensor], List[Tensor]]:
        """The two sides compared by a disentanglement loss (``used``: the
        taps that loss reads)."""
        if self.dis_sampling == 'paper':
            return feats, [f.roll(1, dims=0) for f in feats]
        sides = tuple([
            _shuffle(f) if i in used else f for i, f in enumerate(feats)
        ] for _ in range(2))
        return sides


def _shuffle(feat: Tensor) -> Tensor:
    return feat[torch.randperm(len(feat), device=feat.device)]
