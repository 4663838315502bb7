# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Layer-level and filter-level grafting of one state dict into another.

`Filter Grafting for Deep Neural Networks <https://arxiv.org/abs/2001.05868>`_.
Only torch is imported, so the functions work on any ``nn.Module`` weights.

Layer level, per conv layer (official ``grafting.py``):
:math:`W_i \\leftarrow \\alpha W_i + (1-\\alpha) W_{i-1}` with
:math:`\\alpha` from :func:`grafting_coefficient` of the two layers'
:func:`weight_entropy`.

Filter level, per output channel j of a conv followed by a BN
(official ``filter_level_grafting.py``):
:math:`w_j = |\\gamma^{i}_j| / (|\\gamma^{i}_j| + |\\gamma^{i-1}_j|)`,
filter j and BN channel j are mixed with :math:`w_j`. With ``mix_inputs``
(the official code), input channel j of the next such conv is first mixed
with the :math:`w_j` of the BN that produced it:
:math:`W[o, j] \\leftarrow w_o (w'_j W_i + (1-w'_j) W_{i-1})[o, j] +
(1-w_o) W_{i-1}[o, j]`.

Modules that are not convs, or at filter level not in a conv-BN pair
(``bn_fc_mode``):

- ``'last_conv'`` (official layer-level code): a module that is not a conv
  reuses the alpha of the last conv before it (the code's stale variable).
- ``'own'`` (ours): every module with a ``weight`` gets the alpha of its own
  weight entropy (BN from its gamma, FC from its matrix).
- ``'keep'`` (official filter-level code, which leaves the FC alone): they
  keep their own weights (alpha 1).
"""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import torch

from .grafting_math import grafting_coefficient, weight_entropy

StateDict = Dict[str, torch.Tensor]
GRAFT_LEVELS = ('layer', 'filter')
BN_FC_MODES = ('last_conv', 'own', 'keep')


def _group_by_module(state_dict: StateDict) -> 'OrderedDict[str, List[str]]':
    groups: 'OrderedDict[str, List[str]]' = OrderedDict()
    for key in state_dict:
        prefix = key.rsplit('.', 1)[0] if '.' in key else ''
        groups.setdefault(prefix, []).append(key)
    return groups


def _weight(state_dict: StateDict, prefix: str) -> Optional[torch.Tensor]:
    key = f'{prefix}.weight' if prefix else 'weight'
    return state_dict.get(key)


def _is_conv(state_dict: StateDict, prefix: str) -> bool:
    weight = _weight(state_dict, prefix)
    return weight is not None and weight.ndim >= 3


def _is_bn(state_dict: StateDict, prefix: str) -> bool:
    weight = _weight(state_dict, prefix)
    return (weight is not None and weight.ndim == 1
            and f'{prefix}.running_mean' in state_dict)


def _check_same_keys(own: StateDict, other: StateDict) -> None:
    missing = [k for k in own if k not in other]
    extra = [k for k in other if k not in own]
    if missing or extra:
        raise ValueError(
            'grafting needs two networks of the same architecture: keys '
            f'only in the receiver {missing[:5]}, only in the giver '
            f'{extra[:5]}')
    for key, value in own.items():
        if value.shape != other[key].shape:
            raise ValueError(f'grafting: shape of {key!r} differs: '
                             f'{tuple(value.shape)} vs '
                             f'{tuple(other[key].shape)}')


def _check_options(level: str, bn_fc_mode: str) -> None:
    if level not in GRAFT_LEVELS:
        raise ValueError(f'grafting level must be one of {GRAFT_LEVELS}, '
                         f'got {level!r}')
    if bn_fc_mode not in BN_FC_MODES:
        raise ValueError(f'grafting bn_fc_mode must be one of {BN_FC_MODES}, '
                         f'got {bn_fc_mode!r}')


def _mix(own: torch.Tensor, other: torch.Tensor,
         weight: torch.Tensor) -> torch.Tensor:
    if not own.is_floating_point():
        return own.clone()  # counters such as num_batches_tracked
    return own * weight + other * (1 - weight)


def _entropy_alpha(own: StateDict, other: StateDict, prefix: str, a: float,
                   c: float) -> float:
    return grafting_coefficient(weight_entropy(_weight(own, prefix)),
                                weight_entropy(_weight(other, prefix)), a, c)


def _layer_alphas(own: StateDict, other: StateDict, groups: Sequence[str],
                  a: float, c: float, bn_fc_mode: str) -> Dict[str, float]:
    """Alpha of every module for layer-level grafting."""
    alphas: Dict[str, float] = {}
    last_conv: Optional[float] = None
    for prefix in groups:
        has_weight = _weight(own, prefix) is not None
        if _is_conv(own, prefix):
            last_conv = _entropy_alpha(own, other, prefix, a, c)
            alphas[prefix] = last_conv
        elif bn_fc_mode == 'keep':
            alphas[prefix] = 1.0
        elif has_weight and (bn_fc_mode == 'own' or last_conv is None):
            alphas[prefix] = _entropy_alpha(own, other, prefix, a, c)
        elif last_conv is not None:
            alphas[prefix] = last_conv
        else:
            alphas[prefix] = 0.5  # a weightless module before any conv
    return alphas


def _conv_bn_pairs(own: StateDict, groups: Sequence[str]) -> Dict[str, str]:
    """Map each conv followed directly by a BN of its width to that BN."""
    pairs: Dict[str, str] = {}
    names = list(groups)
    for prefix, following in zip(names[:-1], names[1:]):
        if (_is_conv(own, prefix) and _is_bn(own, following) and _weight(
                own, following).numel() == _weight(own, prefix).shape[0]):
            pairs[prefix] = following
    return pairs


def unpaired_convs(state_dict: StateDict) -> List[str]:
    """The convs that filter-level grafting cannot mix filter by filter:
    no BN of their width follows them, so they use ``bn_fc_mode``.

    Args:
        state_dict (dict[str, Tensor]): A network's weights.

    Returns:
        list[str]: The convs' module names, in state-dict order.
    """
    groups = _group_by_module(state_dict)
    pairs = _conv_bn_pairs(state_dict, groups)
    return [p for p in groups if _is_conv(state_dict, p) and p not in pairs]


def _input_weights(
        own: StateDict, pairs: Dict[str, str],
        channel_w: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """For each paired conv, the w of the previous pair's BN when its
    channels are this conv's input channels (official chain of convs)."""
    inputs: Dict[str, torch.Tensor] = {}
    previous: Optional[str] = None
    for conv in pairs:
        if previous is not None:
            w = channel_w[pairs[previous]]
            if _weight(own, conv).shape[1] == w.numel() > 1:
                inputs[conv] = w
        previous = conv
    return inputs


def _channel_weights(own: StateDict, other: StateDict,
                     bn: str) -> torch.Tensor:
    mine = _weight(own, bn).abs().float()
    theirs = _weight(other, bn).abs().float()
    total = mine + theirs
    return torch.where(total > 0, mine / total.clamp_min(1e-12),
                       torch.full_like(total, 0.5))


def graft_state_dict(
        own: StateDict,
        other: StateDict,
        level: str = 'layer',
        a: float = 0.4,
        c: float = 500.0,
        bn_fc_mode: str = 'last_conv',
        mix_inputs: bool = True) -> Tuple[StateDict, Dict[str, float]]:
    """Graft ``other`` into ``own`` and return the new weights.

    Args:
        own (dict[str, Tensor]): State dict of the receiving network i.
        other (dict[str, Tensor]): State dict of the giving network i-1.
        level (str): ``'layer'`` or ``'filter'``. Defaults to ``'layer'``.
        a (float): Amplitude A of the layer-level alpha. Defaults to 0.4.
        c (float): Sharpness c of the layer-level alpha. Defaults to 500.0.
        bn_fc_mode (str): How modules that are not convs (or, at filter
            level, not a conv-BN pair) are grafted: ``'last_conv'``,
            ``'own'`` or ``'keep'``. Defaults to ``'last_conv'``.
        mix_inputs (bool): Filter level: also mix a paired conv's input
            channels with the w of the BN before it, as the official code
            does. Defaults to True.

    Returns:
        tuple: the grafted state dict (new tensors) and, per module, the
        weight kept from ``own`` (the mean of w_j for filter-level pairs).
    """
    _check_options(level, bn_fc_mode)
    _check_same_keys(own, other)
    groups = _group_by_module(own)
    alphas = _layer_alphas(own, other, groups, a, c, bn_fc_mode)
    weights = {p: torch.tensor(v) for p, v in alphas.items()}
    inputs: Dict[str, torch.Tensor] = {}
    if level == 'filter':
        pairs = _conv_bn_pairs(own, groups)
        channel_w = {bn: _channel_weights(own, other, bn) for bn in
                     pairs.values()}
        for conv, bn in pairs.items():
            weights[conv] = weights[bn] = channel_w[bn]
            alphas[conv] = alphas[bn] = float(channel_w[bn].mean())
        if mix_inputs:
            inputs = _input_weights(own, pairs, channel_w)
    grafted: StateDict = {}
    for prefix, keys in groups.items():
        for key in keys:
            mine = own[key]
            if prefix in inputs and key.endswith('weight'):
                mine = _mix(mine, other[key],
                            _along(inputs[prefix], mine, dim=1))
            grafted[key] = _mix(mine, other[key],
                                _along(weights[prefix], mine, dim=0))
    return grafted, alphas


def _along(w: torch.Tensor, tensor: torch.Tensor, dim: int) -> torch.Tensor:
    """A scalar ``w``, or a per-channel ``w`` shaped to broadcast along
    ``dim`` of ``tensor``."""
    w = w.to(tensor.device)
    if tensor.is_floating_point():
        w = w.to(tensor.dtype)
    if w.ndim == 1 and tensor.ndim > 1:
        shape = [1] * tensor.ndim
        shape[dim] = -1
        w = w.reshape(shape)
    return w


def ring_graft(state_dicts: Sequence[StateDict],
               **kwargs) -> Tuple[List[StateDict], List[Dict[str, float]]]:
    """Graft every network i from network i-1 in a ring (0 from N-1).

    All networks graft from the weights as they were before this round,
    as the official code does (each reads the others' end-of-epoch
    checkpoints).

    Args:
        state_dicts (Sequence[dict]): The N >= 2 networks' weights.
        **kwargs: Options of :func:`graft_state_dict`.

    Returns:
        tuple: the N grafted state dicts and the N alpha dicts.
    """
    if len(state_dicts) < 2:
        raise ValueError(f'ring grafting needs at least 2 networks, got '
                         f'{len(state_dicts)}')
    results = [
        graft_state_dict(sd, state_dicts[i - 1], **kwargs)
        for i, sd in enumerate(state_dicts)
    ]
    return [r[0] for r in results], [r[1] for r in results]
