# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The weights of every DGD peer in a checkpoint, and one peer's alone.

Peers in one process are ``peers.<g>.*`` of the checkpoint's
``state_dict``. With one peer per rank mmengine saves only rank 0's model;
:class:`FilterGraftingHook` keeps rank g's peer in
``checkpoint['dgd_rank_states'][g]['peer']``, which these functions put
back as ``peers.<g>.*``. Only torch is imported.
"""
import re
from typing import Dict

import torch

StateDict = Dict[str, torch.Tensor]


def all_peer_weights(checkpoint: dict) -> StateDict:
    """The ``state_dict`` of a checkpoint (or a bare state dict), with every
    rank's peer as ``peers.<rank>.`` when one peer per rank was trained.

    Args:
        checkpoint (dict): A loaded mmengine checkpoint or state dict.

    Returns:
        dict[str, Tensor]: The model's weights, one key per tensor.
    """
    state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, dict):
        raise ValueError('the checkpoint holds no state_dict')
    ranks = checkpoint.get('dgd_rank_states')
    if not ranks:
        return dict(state)
    weights = {k: v for k, v in state.items() if not k.startswith('peers.')}
    for rank, saved in enumerate(ranks):
        weights.update(
            {f'peers.{rank}.{k}': v
             for k, v in saved['peer'].items()})
    return weights


def select_prefix(weights: StateDict, prefix: str, source: str) -> StateDict:
    """The weights under ``prefix`` with the prefix (and a DDP ``module.``)
    removed; an empty ``prefix`` keeps everything.

    Args:
        weights (dict[str, Tensor]): Weights, e.g. of
            :func:`all_peer_weights`.
        prefix (str): Key prefix such as ``'peers.0.'``.
        source (str): The checkpoint's name, for the error message.

    Returns:
        dict[str, Tensor]: The selected weights.
    """
    weights = {re.sub(r'^module\.', '', k): v for k, v in weights.items()}
    if not prefix:
        return weights
    selected = {
        k[len(prefix):]: v
        for k, v in weights.items() if k.startswith(prefix)
    }
    if not selected:
        found = sorted({
            m.group(0)
            for m in map(re.compile(r'^peers\.\d+\.').match, weights) if m
        })
        raise KeyError(f'no key of {source} starts with {prefix!r} '
                       f'(peer prefixes there: {", ".join(found) or "none"})')
    return selected
