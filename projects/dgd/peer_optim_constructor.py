# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""A learning rate per DGD peer, the same way in one process or per rank."""
import math
from typing import List, Optional, Sequence, Union

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper
from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS


def dlr_multipliers(num_peers: int) -> List[float]:
    """The official grafting code's "dlr": peer i of N (i = 1..N) trains
    with ``lr * (1 + cos(pi * (N - i) / N)) / 2``.

    Args:
        num_peers (int): N.

    Returns:
        list[float]: The multiplier of each peer, in peer order (N = 2:
        ``[0.5, 1.0]``; N = 3: ``[0.25, 0.75, 1.0]``).
    """
    if num_peers < 1:
        raise ValueError(f'dlr_multipliers: num_peers must be >= 1, got '
                         f'{num_peers}')
    return [(1 + math.cos(math.pi * (num_peers - i) / num_peers)) / 2
            for i in range(1, num_peers + 1)]


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class DGDOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """``DefaultOptimWrapperConstructor`` with one lr multiplier per peer of
    a ``DGDPeerClassifier``.

    Grafting (`arXiv 2001.05868 <https://arxiv.org/abs/2001.05868>`_) needs
    peers that differ: with N = 2, alpha_1 = 1 - alpha_0, so a graft makes
    both peers equal and only different learning rates drive them apart
    again. Peer g (global index, the rank with one peer per rank) trains
    with ``lr * peer_lr_mult[g]`` on top of every other ``paramwise_cfg``
    option (``custom_keys``, ``bias_decay_mult``, ...), so one config serves
    peers in one process and one peer per rank.

    Set it with ``optim_wrapper = dict(constructor=
    'DGDOptimWrapperConstructor', paramwise_cfg=dict(peer_lr_mult='dlr'))``.

    Args:
        optim_wrapper_cfg (dict): The optimizer wrapper config.
        paramwise_cfg (dict, optional): ``DefaultOptimWrapperConstructor``'s
            options plus ``peer_lr_mult``: ``'dlr'`` (default, see
            :func:`dlr_multipliers`) or a list of N multipliers.
            Defaults to None.
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        # mmengine takes the paramwise path only for a non-empty
        # paramwise_cfg, and ignores keys it does not know
        paramwise_cfg = dict(paramwise_cfg or {})
        paramwise_cfg.setdefault('peer_lr_mult', 'dlr')
        super().__init__(optim_wrapper_cfg, paramwise_cfg)
        mult = paramwise_cfg['peer_lr_mult']
        if not (mult == 'dlr' or (isinstance(mult, Sequence)
                                  and not isinstance(mult, str))):
            raise ValueError('optim_wrapper.paramwise_cfg.peer_lr_mult must '
                             f"be 'dlr' or a list of numbers, got {mult!r}")
        if self.base_lr is None:
            raise ValueError('DGDOptimWrapperConstructor needs '
                             'optim_wrapper.optimizer.lr')
        self.peer_lr_mult: Union[str, Sequence[float]] = mult

    def __call__(self, model: nn.Module) -> OptimWrapper:
        """Build the wrapper; ``model`` is a (wrapped) DGDPeerClassifier."""
        self._peer_model = model.module if hasattr(model, 'module') else model
        if not hasattr(self._peer_model, 'peers'):
            raise TypeError('DGDOptimWrapperConstructor needs model.type='
                            "'DGDPeerClassifier', got "
                            f'{type(self._peer_model).__name__}')
        return super().__call__(model)

    def _multipliers(self) -> List[float]:
        total = self._peer_model.num_peers
        if self.peer_lr_mult == 'dlr':
            return dlr_multipliers(total)
        mult = [float(m) for m in self.peer_lr_mult]
        if len(mult) != total:
            raise ValueError(
                f'optim_wrapper.paramwise_cfg.peer_lr_mult has {len(mult)} '
                f'values for {total} peers')
        return mult

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   is_dcn_module: Optional[Union[int, float]] = None) -> None:
        """Add the parameter groups; those of peer g get their lr scaled by
        ``peer_lr_mult[g]``."""
        if module is not self._peer_model:
            super().add_params(params, module, prefix, is_dcn_module)
            return
        mult = self._multipliers()
        offset = self._peer_model.peer_offset
        for name, child in module.named_children():
            if name != 'peers':
                super().add_params(params, child, name, is_dcn_module)
                continue
            for index, peer in enumerate(child):
                start = len(params)
                super().add_params(params, peer, f'peers.{index}',
                                   is_dcn_module)
                for group in params[start:]:
                    group['lr'] = group.get('lr',
                                            self.base_lr) * mult[offset +
                                                                 index]
