# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Perceptual content and style losses of MANet and AdaIN."""
from typing import Sequence

import torch.nn.functional as F
from torch import Tensor

from .feature_statistics import calc_mean_std, mean_std_normalise


def normalised_content_loss(output_feats: Sequence[Tensor],
                            target_feats: Sequence[Tensor],
                            layers: Sequence[int] = (3, 4)) -> Tensor:
    """MANet's content loss (`Arbitrary Style Transfer via Multi-Adaptation
    Network <https://arxiv.org/abs/2005.13219>`_):

    .. math::
        L_c = \\sum_{i \\in \\{4, 5\\}} \\operatorname{MSE}\\big(
        \\operatorname{norm}(\\phi_i(I_{cs})),
        \\operatorname{norm}(\\phi_i(I_c))\\big)

    on the instance-normalised relu4_1 and relu5_1 features.

    Args:
        output_feats (Sequence[Tensor]): Taps of the stylised image.
        target_feats (Sequence[Tensor]): Taps of the content image.
        layers (Sequence[int]): Tap indices. Defaults to ``(3, 4)``.

    Returns:
        Tensor: The scalar loss.
    """
    return sum(
        F.mse_loss(
            mean_std_normalise(output_feats[i]),
            mean_std_normalise(target_feats[i])) for i in layers)


def mean_std_style_loss(output_feats: Sequence[Tensor],
                        target_feats: Sequence[Tensor]) -> Tensor:
    """The mean/std style loss of AdaIN and MANet:

    .. math::
        L_s = \\sum_i \\operatorname{MSE}(\\mu(\\phi_i(I_{cs})),
        \\mu(\\phi_i(I_s))) + \\operatorname{MSE}(\\sigma(\\phi_i(I_{cs})),
        \\sigma(\\phi_i(I_s)))

    over all given taps (relu1_1..relu5_1 in MANet, ..relu4_1 in AdaIN).

    Args:
        output_feats (Sequence[Tensor]): Taps of the stylised image.
        target_feats (Sequence[Tensor]): Taps of the style image.

    Returns:
        Tensor: The scalar loss.
    """
    if len(output_feats) != len(target_feats):
        raise ValueError('mean_std_style_loss: got '
                         f'{len(output_feats)} and {len(target_feats)} taps')
    total = 0
    for output, target in zip(output_feats, target_feats):
        output_mean, output_std = calc_mean_std(output)
        target_mean, target_std = calc_mean_std(target)
        total = total + F.mse_loss(output_mean, target_mean) + F.mse_loss(
            output_std, target_std)
    return total


def feature_identity_loss(output_feats: Sequence[Tensor],
                          target_feats: Sequence[Tensor]) -> Tensor:
    """:math:`\\sum_i \\operatorname{MSE}(\\phi_i(I_{cc}), \\phi_i(I_c))`,
    MANet's feature-level identity term (half of :math:`L_{id2}`).

    Args:
        output_feats (Sequence[Tensor]): Taps of the reconstruction.
        target_feats (Sequence[Tensor]): Taps of the original.

    Returns:
        Tensor: The scalar loss.
    """
    return sum(
        F.mse_loss(output, target)
        for output, target in zip(output_feats, target_feats))
