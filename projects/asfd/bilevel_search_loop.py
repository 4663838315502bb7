# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""First-order bilevel architecture search as an mmengine train loop."""
import json
import os.path as osp
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

import torch.nn as nn
from mmdet.registry import LOOPS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIMIZERS
from mmengine.runner import EpochBasedTrainLoop
from torch import Tensor
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader

from .auto_fem_search import ARCH_PARAM_PREFIX
from .genotype import save_genotype


def _unwrap(model: nn.Module) -> nn.Module:
    return model.module if is_model_wrapper(model) else model


def _is_arch(name: str) -> bool:
    return name.rsplit('.', 1)[-1].startswith(ARCH_PARAM_PREFIX)


class _ArchCheckpointHook(Hook):
    """Keeps the architecture optimizer's state in the checkpoint."""

    priority = 'NORMAL'

    def __init__(self, loop: 'BilevelSearchLoop') -> None:
        self.loop = loop

    def before_save_checkpoint(self, runner: Any, checkpoint: dict) -> None:
        checkpoint['asfd_arch_optimizer'] = \
            self.loop.arch_optim_wrapper.state_dict()

    def after_load_checkpoint(self, runner: Any, checkpoint: dict) -> None:
        if 'asfd_arch_optimizer' in checkpoint:
            self.loop.arch_optim_wrapper.load_state_dict(
                checkpoint['asfd_arch_optimizer'])


@LOOPS.register_module()
class BilevelSearchLoop(EpochBasedTrainLoop):
    """Epoch loop that alternates first-order bilevel search steps.

    The search of `ASFD <https://arxiv.org/abs/2003.11228>`_'s Auto-FEM,
    first-order DARTS (`arXiv:1806.09055
    <https://arxiv.org/abs/1806.09055>`_) on the supernet
    (:class:`AutoFEMSearch`):

    .. math::
        \\alpha \\leftarrow \\alpha - \\xi_\\alpha \\nabla_\\alpha
            L_{val}(w, \\alpha), \\qquad
        w \\leftarrow w - \\xi_w \\nabla_w L_{train}(w, \\alpha)

    Every iteration takes one held-out batch (``arch_dataloader``) for an
    alpha step, then the train batch for a weight step with the runner's
    optimizer. Each step freezes the other set, so alphas change only on
    held-out batches and weights only on train batches. (Batch-norm running
    statistics, which are buffers, see both, as in DARTS.) The softmax-ed
    alphas are logged and appended to ``<work_dir>/arch_weights.json`` after
    every epoch; the derived genotype is written to
    ``<work_dir>/<genotype_file>`` at the end. The alpha optimizer's state is
    checkpointed and the held-out iterator restarts with each epoch, so
    ``--resume`` continues exactly.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader or dict): Train split (weights).
        arch_dataloader (DataLoader or dict): Held-out split (alphas).
        max_epochs (int): Epochs.
        arch_optimizer (dict): Optimizer of the alphas.
            Defaults to ``dict(type='Adam', lr=3e-4, betas=(0.5, 0.999),
            weight_decay=1e-3)`` (DARTS).
        arch_start_epoch (int): Epochs of weight-only warm-up.
            Defaults to 0.
        genotype_file (str): File name of the exported genotype.
            Defaults to 'genotype.json'.
        val_begin (int): First validation epoch. Defaults to 1.
        val_interval (int): Validation interval. Defaults to 1.
    """

    def __init__(self,
                 runner: Any,
                 dataloader: Union[DataLoader, Dict],
                 arch_dataloader: Union[DataLoader, Dict],
                 max_epochs: int,
                 arch_optimizer: Dict = dict(
                     type='Adam', lr=3e-4, betas=(0.5, 0.999),
                     weight_decay=1e-3),
                 arch_start_epoch: int = 0,
                 genotype_file: str = 'genotype.json',
                 val_begin: int = 1,
                 val_interval: int = 1) -> None:
        super().__init__(runner, dataloader, max_epochs, val_begin,
                         val_interval)
        if isinstance(arch_dataloader, dict):
            arch_dataloader = runner.build_dataloader(
                arch_dataloader, seed=runner.seed)
        self.arch_dataloader = arch_dataloader
        self.arch_start_epoch = arch_start_epoch
        self.genotype_file = genotype_file
        self._arch_iter: Optional[Iterator] = None
        named = list(_unwrap(runner.model).named_parameters())
        self.arch_params = [p for n, p in named if _is_arch(n)]
        if not self.arch_params:
            raise ValueError(
                'train_cfg.type=BilevelSearchLoop: the model has no '
                f'parameter named {ARCH_PARAM_PREFIX}*; use a searchable '
                'neck such as AutoFEMSearch')
        self.weight_params = [
            p for n, p in named if not _is_arch(n) and p.requires_grad
        ]
        self.arch_optim_wrapper = OptimWrapper(
            OPTIMIZERS.build(dict(arch_optimizer, params=self.arch_params)))
        runner.register_hook(_ArchCheckpointHook(self))

    def _set_trainable(self, arch: bool) -> None:
        for p in self.arch_params:
            p.requires_grad_(arch)
        for p in self.weight_params:
            p.requires_grad_(not arch)

    def _next_arch_batch(self) -> Any:
        if self._arch_iter is None:
            self._arch_iter = iter(self.arch_dataloader)
        try:
            return next(self._arch_iter)
        except StopIteration:
            self._arch_iter = iter(self.arch_dataloader)
        try:
            return next(self._arch_iter)
        except StopIteration:
            raise ValueError('train_cfg.arch_dataloader yields no batch: '
                             'the held-out split is empty') from None

    def arch_step(self, data_batch: Any) -> Dict[str, Any]:
        """One alpha update on a held-out batch; weights stay frozen."""
        self._set_trainable(arch=True)
        try:
            log_vars = self.runner.model.train_step(
                data_batch, optim_wrapper=self.arch_optim_wrapper)
        finally:
            self._set_trainable(arch=False)
        loss = log_vars['loss']
        if isinstance(loss, Tensor):
            loss = loss.detach()
        self.runner.message_hub.update_scalar('train/arch_loss', float(loss))
        return log_vars

    def run_iter(self, idx: int, data_batch: Sequence[dict]) -> None:
        """An alpha step (after warm-up), then the usual weight step."""
        if self._epoch >= self.arch_start_epoch:
            self.arch_step(self._next_arch_batch())
        self._set_trainable(arch=False)
        super().run_iter(idx, data_batch)

    def run_epoch(self) -> None:
        """Run one epoch, then log and record the architecture weights."""
        sampler = getattr(self.arch_dataloader, 'sampler', None)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(self._epoch)
        self._arch_iter = None
        super().run_epoch()
        self._record_arch_weights()

    def _search_neck(self) -> nn.Module:
        return _unwrap(self.runner.model).neck

    def _record_arch_weights(self) -> None:
        neck = self._search_neck()
        print_log(
            f'Epoch {self._epoch}: Auto-FEM architecture weights\n'
            f'{neck.arch_weight_table()}\n'
            f'genotype: {json.dumps(neck.derive_genotype())}',
            logger='current')
        if not is_main_process():
            return
        path = osp.join(self.runner.work_dir, 'arch_weights.json')
        history: List[dict] = []
        if osp.isfile(path):
            with open(path) as f:
                history = [h for h in json.load(f) if h['epoch'] < self._epoch]
        fusion_w, cell_w = (w.detach() for w in neck._arch_weights())
        history.append(
            dict(
                epoch=self._epoch,
                op_names=list(neck.op_names),
                fusion=fusion_w.tolist(),
                cell=cell_w.tolist()))
        with open(path, 'w') as f:
            json.dump(history, f)

    def _check_ddp(self) -> None:
        """Each step freezes one parameter set, which DDP only tolerates
        when it looks for unused parameters."""
        model = self.runner.model
        if isinstance(model, DistributedDataParallel) and \
                not model.find_unused_parameters:
            raise ValueError(
                'train_cfg.type=BilevelSearchLoop with several processes '
                'needs find_unused_parameters=True in the config: the alpha '
                'and weight steps each leave the other set without '
                'gradients')

    def run(self) -> nn.Module:
        """Search, then export the derived genotype."""
        self._check_ddp()
        model = super().run()
        if is_main_process():
            path = osp.join(self.runner.work_dir, self.genotype_file)
            genotype = self._search_neck().derive_genotype()
            save_genotype(genotype, path)
            print_log(f'Auto-FEM genotype written to {path}: '
                      f'{json.dumps(genotype)}', logger='current')
        return model
