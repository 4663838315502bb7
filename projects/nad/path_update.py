# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The NAD gate update: a normalised gradient step, no optimizer."""
from typing import Sequence

import torch
import torch.nn.functional as F


@torch.no_grad()
def normalized_gradient_step(masks: Sequence[torch.nn.Parameter],
                             lr: float,
                             names: Sequence[str] = ()) -> None:
    """Update each gate as the official ``findpath.py`` does.

    `Architecture Disentanglement for Deep Neural Networks
    <https://arxiv.org/abs/2003.13268>`_:

    .. math::
        m \\leftarrow m - \\eta\\,
            \\frac{\\partial \\mathcal{L} / \\partial m}
                  {\\max(\\lVert \\partial \\mathcal{L} / \\partial m
                  \\rVert_2, \\epsilon)}

    the L2 norm over the channel dimension of the (1, C, 1, 1) gradient
    (``F.normalize`` with ``dim=1``, :math:`\\epsilon = 10^{-12}`), one
    step of length :math:`\\eta` per gate. The gradients are cleared.

    Args:
        masks (list[Parameter]): Gate parameters with gradients.
        lr (float): Step length :math:`\\eta` (official 0.1).
        names (list[str]): Gate names for error messages. Defaults to ().
    """
    for i, mask in enumerate(masks):
        if mask.grad is None:
            name = names[i] if i < len(names) else f'#{i}'
            raise RuntimeError(
                f'normalized_gradient_step: gate {name} has no gradient '
                '(did the loss reach it?)')
        mask.sub_(lr * F.normalize(mask.grad, dim=1))
        mask.grad = None
