# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Edge-aware flow smoothness of ARFlow's unsupervised loss."""
from typing import Tuple

import torch
from torch import Tensor


def _gradients(data: Tensor) -> Tuple[Tensor, Tensor]:
    """Forward differences along x (B, C, H, W - 1) and y (B, C, H - 1, W)."""
    return (data[..., :, 1:] - data[..., :, :-1],
            data[..., 1:, :] - data[..., :-1, :])


def _edge_weights(image: Tensor, alpha: float) -> Tuple[Tensor, Tensor]:
    img_dx, img_dy = _gradients(image)
    return (torch.exp(-alpha * img_dx.abs().mean(1, keepdim=True)),
            torch.exp(-alpha * img_dy.abs().mean(1, keepdim=True)))


def edge_aware_smoothness(flow: Tensor,
                          image: Tensor,
                          alpha: float = 10.0,
                          order: int = 1) -> Tensor:
    """Edge-aware smoothness of ``flow`` guided by ``image``.

    `Learning by Analogy <https://arxiv.org/abs/2003.13045>`_ (Eq. 3), as
    the official ``smooth_grad_1st`` / ``smooth_grad_2nd``: with
    ``w_d = exp(-alpha mean_c |d I|)``,

    .. math::
        L^{(1)} = \\tfrac14 \\overline{w_x |\\partial_x F|} +
        \\tfrac14 \\overline{w_y |\\partial_y F|}, \\qquad
        L^{(2)} = \\tfrac12 \\overline{w_x |\\partial_{xx} F|} +
        \\tfrac12 \\overline{w_y |\\partial_{yy} F|},

    means over batch, flow channels and valid pixels (the 2nd-order weight
    is taken at the centre pixel of each 3-tap difference).

    Args:
        flow (Tensor): (B, 2, H, W), already divided by the scale ``s``.
        image (Tensor): (B, 3, H, W) the guiding image in [0, 1].
        alpha (float): Edge sensitivity. Defaults to 10.
        order (int): 1 or 2. Defaults to 1.

    Returns:
        Tensor: A scalar.
    """
    if order not in (1, 2):
        raise ValueError(f'edge_aware_smoothness: order must be 1 or 2, '
                         f'got {order}')
    weight_x, weight_y = _edge_weights(image, alpha)
    flow_dx, flow_dy = _gradients(flow)
    if order == 1:
        return (weight_x * flow_dx.abs()).mean() / 4 + \
            (weight_y * flow_dy.abs()).mean() / 4
    flow_dxx = _gradients(flow_dx)[0]
    flow_dyy = _gradients(flow_dy)[1]
    return (weight_x[..., 1:] * flow_dxx.abs()).mean() / 2 + \
        (weight_y[..., 1:, :] * flow_dyy.abs()).mean() / 2
