# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""A model wrapper for one DGD peer per rank: no gradient averaging."""
from typing import Dict, List, Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class DGDPeerWrapper(nn.Module):
    """Distributed wrapper that keeps each rank's peer independent.

    ``MMDistributedDataParallel`` would average the gradients of the N peers
    and turn them into one network; grafting (arXiv 2001.05868) and DGD
    (arXiv 2004.12311) need N different networks, which exchange weights
    only through :class:`FilterGraftingHook` and logits only through
    :class:`DGDPeerClassifier`. Set ``model_wrapper_cfg =
    dict(type='DGDPeerWrapper')`` with ``distributed_peers=True``.

    Args:
        module (nn.Module): The ``DGDPeerClassifier``.
    """

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """Delegate to the wrapped model."""
        return self.module.train_step(data, optim_wrapper)

    def val_step(self, data: Union[dict, tuple, list]) -> List:
        """Delegate to the wrapped model."""
        return self.module.val_step(data)

    def test_step(self, data: Union[dict, tuple, list]) -> List:
        """Delegate to the wrapped model."""
        return self.module.test_step(data)
