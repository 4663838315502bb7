# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The two scalar formulas of filter grafting, free of any toolbox.

`Filter Grafting for Deep Neural Networks <https://arxiv.org/abs/2001.05868>`_
(CVPR 2020), used by DGD (`Densifying knowledge with filter Grafting and
Distillation <https://arxiv.org/abs/2004.12311>`_). Both follow the official
code (``fxmeng/filter-grafting``, ``grafting_cifar/grafting.py``).
"""
import math

import torch


def weight_entropy(tensor: torch.Tensor, bins: int = 10) -> float:
    """Entropy of a whole weight tensor over equal-width bins.

    .. math::
        H(W) = -\\sum_{k=0}^{B-1} p_k \\log p_k, \\quad
        p_k = \\frac{|\\{w : m + k s \\le w < m + (k+1) s\\}|}{|W|},

    with :math:`m = \\min W`, :math:`s = (\\max W - m) / B` and the natural
    log. As in the official code the bins are half open, so the maximum
    element(s) fall in no bin, and a constant tensor has entropy 0.

    Args:
        tensor (torch.Tensor): Any non-empty tensor; it is flattened.
        bins (int): Number of equal-width bins B. Defaults to 10.

    Returns:
        float: The entropy in nats.
    """
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f'weight_entropy: tensor must be a torch.Tensor, '
                        f'got {type(tensor).__name__}')
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f'weight_entropy: bins must be an int >= 1, '
                         f'got {bins!r}')
    if tensor.numel() == 0:
        raise ValueError('weight_entropy: the tensor is empty')
    x = tensor.detach().reshape(-1).float()
    if not torch.isfinite(x).all():
        raise ValueError('weight_entropy: the tensor has NaN or Inf values')
    low = x.min()
    width = (x.max() - low) / bins
    entropy = 0.0
    for k in range(bins):
        inside = (x >= low + k * width) & (x < low + (k + 1) * width)
        p = inside.sum().item() / x.numel()
        if p > 0:
            entropy -= p * math.log(p)
    return float(entropy)


def grafting_coefficient(h_self: float,
                         h_other: float,
                         a: float = 0.4,
                         c: float = 500.0) -> float:
    """Layer-level grafting weight of the receiving network.

    .. math::
        \\alpha = \\mathrm{round}\\Big(\\frac{A}{\\pi}
        \\arctan\\big(c\\,(H(W_{self}) - H(W_{other}))\\big) + 0.5,\\ 2\\Big)

    and then :math:`W_{self} \\leftarrow \\alpha W_{self} +
    (1 - \\alpha) W_{other}`. The layer with more information (entropy)
    keeps more of itself; :math:`\\alpha \\in [0.5 - A/2, 0.5 + A/2]`.

    Args:
        h_self (float): Entropy of the receiving network's layer.
        h_other (float): Entropy of the giving network's layer.
        a (float): Amplitude A. Defaults to 0.4.
        c (float): Sharpness c. Defaults to 500.0.

    Returns:
        float: alpha, rounded to 2 decimals as the official code does.
    """
    for name, value in (('h_self', h_self), ('h_other', h_other), ('a', a),
                        ('c', c)):
        if not math.isfinite(float(value)):
            raise ValueError(f'grafting_coefficient: {name} must be finite, '
                             f'got {value!r}')
    return round(a / math.pi * math.atan(c * (h_self - h_other)) + 0.5, 2)
