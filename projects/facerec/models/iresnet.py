# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""IResNet: the improved-residual face-recognition backbones (IR / IR-SE)."""
import copy
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule, build_norm_layer
from mmengine.model import BaseModule, Sequential
from mmpretrain.models.utils import SELayer
from mmpretrain.registry import MODELS
from torch import Tensor


# The three IR variants: ``insightface`` (projection shortcut wherever the
# stride or width changes, BN after the first conv, affine embedding BN, no
# output dropout), ``model_irse`` (``backbone/model_irse.py`` of the official
# CurricularFace code: BN-Conv-PReLU-Conv-BN blocks, a parameter-free
# subsampling shortcut where the width does not change, bias-free SE,
# dropout 0.4 and a non-affine embedding BN) and ``tface`` (TFace's
# ``model_irse.py``, which DDL fine-tunes: as ``model_irse`` with the BN
# after the first conv).
IR_STYLES: Dict[str, dict] = {
    'insightface':
    dict(mid_norm=True, subsample_shortcut=False, se_bias=True,
         affine_embedding=True, dropout=0.0),
    'model_irse':
    dict(mid_norm=False, subsample_shortcut=True, se_bias=False,
         affine_embedding=False, dropout=0.4),
    'tface':
    dict(mid_norm=True, subsample_shortcut=True, se_bias=False,
         affine_embedding=False, dropout=0.4),
}


class IRBlock(BaseModule):
    """Improved residual block: BN-Conv3x3-[BN]-PReLU-Conv3x3-BN (+SE) +
    shortcut.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the second conv. Defaults to 1.
        with_se (bool): Squeeze-and-excitation before the sum.
            Defaults to False.
        norm_cfg (dict): Norm config. Defaults to ``dict(type='BN')``.
        mid_norm (bool): BN between the first conv and the PReLU
            (insightface, TFace); the CurricularFace code has none.
            Defaults to True.
        subsample_shortcut (bool): Where the width does not change but the
            stride does, the shortcut is the parameter-free subsampling
            ``MaxPool2d(1, stride)`` of the official code instead of a
            1x1 conv + BN projection. Defaults to False.
        se_bias (bool): Biases in the two 1x1 convs of the SE layer (the
            official SE has none). Defaults to True.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 with_se: bool = False,
                 norm_cfg: dict = dict(type='BN'),
                 mid_norm: bool = True,
                 subsample_shortcut: bool = False,
                 se_bias: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.pre_norm = build_norm_layer(norm_cfg, in_channels)[1]
        self.conv1 = ConvModule(
            in_channels,
            out_channels,
            3,
            padding=1,
            bias=False,
            norm_cfg=norm_cfg if mid_norm else None,
            act_cfg=dict(type='PReLU', num_parameters=out_channels))
        self.conv2 = ConvModule(
            out_channels,
            out_channels,
            3,
            stride=stride,
            padding=1,
            bias=False,
            norm_cfg=norm_cfg,
            act_cfg=None)
        self.se = SELayer(out_channels, ratio=16, divisor=1,
                          bias='auto' if se_bias else False) if with_se \
            else nn.Identity()
        self.downsample = self._shortcut(in_channels, out_channels, stride,
                                         norm_cfg, subsample_shortcut)

    @staticmethod
    def _shortcut(in_channels: int, out_channels: int, stride: int,
                  norm_cfg: dict,
                  subsample: bool) -> Optional[nn.Module]:
        """Projection, subsampling or (None) identity shortcut."""
        if in_channels != out_channels or (stride != 1 and not subsample):
            return ConvModule(
                in_channels,
                out_channels,
                1,
                stride=stride,
                bias=False,
                norm_cfg=norm_cfg,
                act_cfg=None)
        return nn.MaxPool2d(1, stride) if stride != 1 else None

    def forward(self, x: Tensor) -> Tensor:
        """Residual sum of the block branch and the shortcut."""
        identity = x if self.downsample is None else self.downsample(x)
        out = self.se(self.conv2(self.conv1(self.pre_norm(x))))
        return out + identity


@MODELS.register_module()
class IResNet(BaseModule):
    """IResNet face backbone of `ArcFace: Additive Angular Margin Loss for
    Deep Face Recognition <https://arxiv.org/abs/1801.07698>`_ (the IR
    backbones CurricularFace trains, `arXiv 2004.00288
    <https://arxiv.org/abs/2004.00288>`_).

    A 3x3 stem (Conv-BN-PReLU, stride 1) and four stages of
    :class:`IRBlock` whose first block has stride 2, so a 112x112 face gives
    a 7x7 map. The embedding is the usual output layer

    .. math::
        e = \\mathrm{BN_{1d}}(W \\, \\mathrm{vec}(\\mathrm{Dropout}(
        \\mathrm{BN_{2d}}(x))) + b)

    of ``embedding_dim`` (512) dimensions.

    ``style`` picks one of three variants (``IR_STYLES``):

    - ``'model_irse'``: exactly ``backbone/model_irse.py`` of the official
      CurricularFace code (``IR_50`` / ``IR_101`` / ``IR_SE_50``):
      BN-Conv-PReLU-Conv-BN blocks, the parameter-free subsampling shortcut
      ``MaxPool2d(1, 2)`` in the first block of stage 1 (64 -> 64), SE
      without biases, dropout 0.4 and a non-affine :math:`\\mathrm{BN_{1d}}`.
    - ``'tface'``: TFace's ``model_irse.py`` (the DDL code): the same with a
      BN between the first conv and the PReLU.
    - ``'insightface'``: the insightface-style IR of earlier releases of
      this project: BN after the first conv, a 1x1 conv + BN projection
      wherever the stride or width changes, affine
      :math:`\\mathrm{BN_{1d}}`, no dropout.

    Args:
        arch (str | dict): ``'ir18'``, ``'ir34'``, ``'ir50'``, ``'ir100'``,
            ``'ir_se50'``, ``'tiny'`` (one block per stage, 8-64 channels,
            for demos and tests) or a dict with ``stage_blocks``,
            ``channels`` and ``with_se``. Defaults to ``'ir50'``.
        input_size (int | tuple[int, int]): Face crop size (H, W); must be
            divisible by 16. Defaults to 112.
        in_channels (int): Input image channels. Defaults to 3.
        embedding_dim (int): Output embedding size. Defaults to 512.
        style (str): ``'insightface'``, ``'model_irse'`` or ``'tface'``
            (see above). Defaults to 'insightface'.
        dropout (float, optional): Dropout before the FC layer; None takes
            the style's (0.4 official, 0.0 insightface). Defaults to None.
        norm_cfg (dict): Norm config of the conv layers.
            Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to Kaiming for convs and constant 1 for norms.
    """

    arch_settings: Dict[str, dict] = {
        'ir18':
        dict(
            stage_blocks=(2, 2, 2, 2),
            channels=(64, 128, 256, 512),
            with_se=False),
        'ir34':
        dict(
            stage_blocks=(3, 4, 6, 3),
            channels=(64, 128, 256, 512),
            with_se=False),
        'ir50':
        dict(
            stage_blocks=(3, 4, 14, 3),
            channels=(64, 128, 256, 512),
            with_se=False),
        'ir100':
        dict(
            stage_blocks=(3, 13, 30, 3),
            channels=(64, 128, 256, 512),
            with_se=False),
        'ir_se50':
        dict(
            stage_blocks=(3, 4, 14, 3),
            channels=(64, 128, 256, 512),
            with_se=True),
        'tiny':
        dict(
            stage_blocks=(1, 1, 1, 1), channels=(8, 16, 32, 64),
            with_se=False),
    }

    def __init__(
        self,
        arch: Union[str, dict] = 'ir50',
        input_size: Union[int, Sequence[int]] = 112,
        in_channels: int = 3,
        embedding_dim: int = 512,
        style: str = 'insightface',
        dropout: Optional[float] = None,
        norm_cfg: dict = dict(type='BN'),
        init_cfg: Optional[Union[dict, list]] = [
            dict(type='Kaiming', layer=['Conv2d', 'Linear']),
            dict(type='Constant', val=1, layer=['_BatchNorm', 'BatchNorm1d'])
        ]
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if style not in IR_STYLES:
            raise KeyError(f'IResNet: unknown style {style!r}; choose from '
                           f'{sorted(IR_STYLES)}')
        self.style = style
        variant = IR_STYLES[style]
        setting = self._parse_arch(arch)
        self.input_size = self._parse_size(input_size)
        self.embedding_dim = embedding_dim
        channels = setting['channels']
        self.stem = ConvModule(
            in_channels,
            channels[0],
            3,
            padding=1,
            bias=False,
            norm_cfg=norm_cfg,
            act_cfg=dict(type='PReLU', num_parameters=channels[0]))
        stages, in_ch = [], channels[0]
        for num_blocks, out_ch in zip(setting['stage_blocks'], channels):
            stages.append(
                Sequential(*[
                    IRBlock(
                        in_ch if i == 0 else out_ch,
                        out_ch,
                        stride=2 if i == 0 else 1,
                        with_se=setting['with_se'],
                        norm_cfg=norm_cfg,
                        mid_norm=variant['mid_norm'],
                        subsample_shortcut=variant['subsample_shortcut'],
                        se_bias=variant['se_bias'])
                    for i in range(num_blocks)
                ]))
            in_ch = out_ch
        self.stages = Sequential(*stages)
        self.out_norm = build_norm_layer(norm_cfg, in_ch)[1]
        self.dropout = nn.Dropout(
            p=variant['dropout'] if dropout is None else dropout)
        h, w = self.input_size[0] // 16, self.input_size[1] // 16
        self.fc = nn.Linear(in_ch * h * w, embedding_dim)
        self.features = nn.BatchNorm1d(
            embedding_dim, affine=variant['affine_embedding'])

    def _parse_arch(self, arch: Union[str, dict]) -> dict:
        """Look up or validate the stage setting."""
        if isinstance(arch, str):
            if arch not in self.arch_settings:
                raise KeyError(f'IResNet: unknown arch {arch!r}; choose from '
                               f'{sorted(self.arch_settings)} or give a dict')
            return copy.deepcopy(self.arch_settings[arch])
        missing = {'stage_blocks', 'channels'} - set(arch)
        if missing or len(arch['stage_blocks']) != 4 or \
                len(arch['channels']) != 4:
            raise ValueError('IResNet: a dict `arch` needs 4 `stage_blocks` '
                             f'and 4 `channels`, got {arch}')
        return {'with_se': False, **arch}

    @staticmethod
    def _parse_size(size: Union[int, Sequence[int]]) -> Tuple[int, int]:
        """(H, W) of the input, each divisible by 16."""
        hw = (size, size) if isinstance(size, int) else tuple(size)
        if len(hw) != 2 or hw[0] % 16 or hw[1] % 16 or min(hw) <= 0:
            raise ValueError('IResNet: `input_size` must be positive and '
                             f'divisible by 16 (four stride-2 stages), got '
                             f'{size}')
        return hw

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        """Embed a batch of faces.

        Args:
            x (Tensor): Images of shape (N, in_channels, H, W) with
                (H, W) = ``input_size``.

        Returns:
            tuple[Tensor]: The embedding, shape (N, embedding_dim).
        """
        if x.dim() != 4 or tuple(x.shape[2:]) != self.input_size:
            raise ValueError(
                f'IResNet: expected input (N, C, {self.input_size[0]}, '
                f'{self.input_size[1]}) (input_size), got {tuple(x.shape)}')
        feat = self.out_norm(self.stages(self.stem(x)))
        feat = self.fc(torch.flatten(self.dropout(feat), 1))
        return (self.features(feat), )
