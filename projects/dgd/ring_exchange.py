# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Ring exchange of peer weights through ``torch.distributed``.

With one grafting peer per rank (torchrun), rank i grafts from rank i-1
(rank 0 from the last rank), as in `Filter Grafting
<https://arxiv.org/abs/2001.05868>`_; the weights travel through the process
group (gloo on the CPU, NCCL on GPUs), not through files.
"""
from typing import Dict

import torch
import torch.distributed as dist


def receive_from_previous_rank(
        state_dict: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Send this rank's tensors to rank+1 and receive rank-1's.

    Args:
        state_dict (dict[str, Tensor]): This rank's weights; every rank
            passes the same keys and shapes.

    Returns:
        dict[str, Tensor]: The previous rank's weights.
    """
    if not (dist.is_available() and dist.is_initialized()):
        raise RuntimeError('receive_from_previous_rank needs an initialised '
                           'torch.distributed process group')
    world, rank = dist.get_world_size(), dist.get_rank()
    if world < 2:
        raise ValueError('ring grafting across ranks needs world_size >= 2')
    received = {}
    for key, value in state_dict.items():
        value = value.detach().contiguous()
        gathered = [torch.empty_like(value) for _ in range(world)]
        dist.all_gather(gathered, value)
        received[key] = gathered[(rank - 1) % world]
    return received
