# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Distributed training on CPU-only machines with mmengine 0.10.7.

mmengine's ``pytorch`` launcher assumes CUDA: it calls
``torch.cuda.set_device`` before creating the process group and wraps the
model with ``device_ids=[LOCAL_RANK]``, which DDP rejects for CPU modules.
On a machine without CUDA this module creates the process group with the
``gloo`` backend itself (mmengine then skips its own initialisation) and
wraps the model with :class:`MMCPUDistributedDataParallel`.
"""
import datetime
import os
from typing import Any, Optional

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.model import MMDistributedDataParallel
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class MMCPUDistributedDataParallel(MMDistributedDataParallel):
    """:class:`MMDistributedDataParallel` for modules that live on the CPU.

    DDP only accepts ``device_ids=None`` for CPU modules, while mmengine's
    runner always passes the local rank; this wrapper drops it.

    Args:
        module (torch.nn.Module): The model to wrap.
        device_ids (list, optional): Ignored; kept so that mmengine's runner
            can pass it. Defaults to None.
        **kwargs: Passed to :class:`MMDistributedDataParallel`.
    """

    def __init__(self,
                 module: torch.nn.Module,
                 device_ids: Optional[list] = None,
                 **kwargs: Any) -> None:
        super().__init__(module=module, device_ids=None, **kwargs)


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Prepare ``cfg`` for distributed training when CUDA is unavailable.

    Args:
        cfg (Config): The full config; ``model_wrapper_cfg`` and
            ``env_cfg.dist_cfg`` are updated in place.
        launcher (str): The job launcher (``'none'``, ``'pytorch'``, ...).

    Returns:
        bool: Whether the CPU (gloo) path was set up.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    dist_cfg = cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'nccl') != 'gloo':
        print_log(
            f'No CUDA device: using the gloo backend instead of '
            f"{dist_cfg.get('backend', 'nccl')!r} for distributed training.",
            logger='current')
        dist_cfg['backend'] = 'gloo'
    if not torch_dist.is_initialized():
        kwargs = {k: v for k, v in dist_cfg.items() if k != 'backend'}
        if 'timeout' in kwargs:
            kwargs['timeout'] = datetime.timedelta(seconds=kwargs['timeout'])
        torch_dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']),
            **kwargs)
    wrapper_cfg = cfg.get('model_wrapper_cfg') or dict(
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    if wrapper_cfg.get('type', 'MMDistributedDataParallel') in (
            'MMDistributedDataParallel', 'MMCPUDistributedDataParallel'):
        wrapper_cfg['type'] = 'MMCPUDistributedDataParallel'
    cfg.model_wrapper_cfg = wrapper_cfg
    return True
