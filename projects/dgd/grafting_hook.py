# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The hook that grafts DGD peers in a ring."""
import logging
from typing import Dict, List, Optional, Union

import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.utils import apply_to
from mmpretrain.registry import HOOKS

from projects.engine.checkpoint_schedule import checkpoint_follows
from .ring_exchange import receive_from_previous_rank
from .state_dict_grafting import (BN_FC_MODES, GRAFT_LEVELS, graft_state_dict,
                                  ring_graft, unpaired_convs)


def _scheduler_states(runner) -> Union[None, list, dict]:
    """The runner's parameter schedulers' states, in the layout mmengine's
    ``Runner.save_checkpoint`` stores them."""
    schedulers = runner.param_schedulers
    if schedulers is None:
        return None
    if isinstance(schedulers, dict):
        return {
            name: [s.state_dict() for s in group]
            for name, group in schedulers.items()
        }
    return [s.state_dict() for s in schedulers]


@HOOKS.register_module()
class FilterGraftingHook(Hook):
    """Ring filter grafting between the peers of a ``DGDPeerClassifier``.

    `Filter Grafting for Deep Neural Networks
    <https://arxiv.org/abs/2001.05868>`_: after every epoch network
    i grafts from network i-1 (0 from N-1),
    :math:`W_i \\leftarrow \\alpha W_i + (1-\\alpha) W_{i-1}`, layer by layer
    with the entropy alpha or filter by filter with the BN-scale weights
    (see :func:`projects.dgd.state_dict_grafting.graft_state_dict`). Peers
    in one process are grafted in memory; one peer per rank exchanges
    weights through ``torch.distributed``.

    As in the official loop (train, test, save, graft), the graft comes
    after the epoch's validation and checkpoint: it runs when the next
    epoch (or iteration, ``by_epoch=False``) starts. Validation thus
    measures the networks as trained, a checkpoint holds them before the
    graft, and resuming from it grafts first, exactly as the straight run.

    One peer per rank, the hook also puts every rank's peer and optimizer
    state into rank 0's checkpoints (mmengine saves rank 0's model only)
    and gives each rank its own back on resume; distillation without
    grafting keeps the hook for that with ``graft=False``.

    Args:
        level (str): ``'layer'`` or ``'filter'``. Defaults to ``'layer'``.
        a (float): Amplitude A. Defaults to 0.4.
        c (float): Sharpness c. Defaults to 500.0.
        bn_fc_mode (str): How non-conv modules (at filter level: modules
            outside a conv-BN pair) are grafted: ``'last_conv'`` (official
            layer level), ``'own'`` or ``'keep'`` (official filter level).
            Defaults to ``'last_conv'``.
        mix_inputs (bool): Filter level: also mix input channels with the
            previous BN's weights (official). Defaults to True.
        interval (int): Graft every ``interval`` epochs (or iterations).
            Defaults to 1.
        by_epoch (bool): Count epochs (paper) or iterations. Defaults to
            True.
        graft (bool): Graft. False keeps only the checkpointing of every
            rank's peer. Defaults to True.
    """

    # after ParamSchedulerHook (LOW, 70): the gathered optimizer states hold
    # the stepped lr; before CheckpointHook (VERY_LOW, 90) saves
    priority = 80

    def __init__(self,
                 level: str = 'layer',
                 a: float = 0.4,
                 c: float = 500.0,
                 bn_fc_mode: str = 'last_conv',
                 mix_inputs: bool = True,
                 interval: int = 1,
                 by_epoch: bool = True,
                 graft: bool = True) -> None:
        if level not in GRAFT_LEVELS or bn_fc_mode not in BN_FC_MODES:
            raise ValueError(
                f'FilterGraftingHook: level must be in {GRAFT_LEVELS} and '
                f'bn_fc_mode in {BN_FC_MODES}, got {level!r}, {bn_fc_mode!r}')
        if interval < 1:
            raise ValueError(f'FilterGraftingHook: interval must be >= 1, '
                             f'got {interval}')
        self.options = dict(level=level,
                            a=a,
                            c=c,
                            bn_fc_mode=bn_fc_mode,
                            mix_inputs=mix_inputs)
        self.interval = interval
        self.by_epoch = by_epoch
        self.enabled = graft
        self.num_grafts = 0
        self.mean_alphas: List[float] = []
        # one peer per rank: every rank's peer and optimizer state, gathered
        # right before rank 0 saves, so that its checkpoint holds all of them
        self.rank_states: Optional[List[dict]] = None
        self.loaded_checkpoint = False

    def before_train(self, runner) -> None:
        """One peer per rank, without a checkpoint: start each rank from its
        own peer, which mmengine's broadcast of rank 0's initial weights
        replaced."""
        model = self._peer_model(runner)
        model.rank_states_kept = True
        if model.distributed_peers and not self.loaded_checkpoint:
            model.reset_local_peers()
            runner.logger.info(
                'FilterGraftingHook: rank peers initialised from their seeds '
                f'(peer_seed={model.peer_seed} + rank)')

    def before_train_epoch(self, runner) -> None:
        """Graft after every ``interval`` epochs, before the next one."""
        epoch = runner.epoch
        if (self.enabled and self.by_epoch and epoch > 0
                and epoch % self.interval == 0):
            self.graft(runner)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Graft after every ``interval`` iterations when
        ``by_epoch=False``."""
        step = runner.iter
        if (self.enabled and not self.by_epoch and step > 0
                and step % self.interval == 0):
            self.graft(runner)

    def after_train_epoch(self, runner) -> None:
        """One peer per rank: gather the states a checkpoint needs."""
        self._gather_before_save(runner, 'epoch')

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """One peer per rank: gather the states a checkpoint needs."""
        self._gather_before_save(runner, 'iter')

    def _gather_before_save(self, runner, event: str) -> None:
        """One peer per rank: collect every rank's peer and optimizer state
        when rank 0 is about to save (mmengine saves on rank 0 only)."""
        model = self._peer_model(runner)
        if model.distributed_peers and checkpoint_follows(runner, event):
            # on the CPU, so that rank 0 does not unpickle other GPUs'
            # tensors onto their devices
            own = dict(iter=runner.iter,
                       peer=model.peers[0].state_dict(),
                       optimizer=runner.optim_wrapper.state_dict(),
                       param_schedulers=_scheduler_states(runner))
            self.rank_states = all_gather_object(
                apply_to(own, lambda x: isinstance(x, torch.Tensor),
                         lambda x: x.cpu()))

    def graft(self, runner) -> None:
        """Graft every peer from its predecessor and log the alphas."""
        model = self._peer_model(runner)
        if self.num_grafts == 0 and self.options['level'] == 'filter':
            self._log_unpaired_convs(runner, model)
        if model.distributed_peers:
            alphas = self._graft_across_ranks(model)
        else:
            alphas = self._graft_in_process(model)
        self.num_grafts += 1
        self.mean_alphas = [sum(a.values()) / max(len(a), 1) for a in alphas]
        for i, value in enumerate(self.mean_alphas):
            runner.message_hub.update_scalar(
                f'train/graft_alpha_peer{model.peer_offset + i}', value)
        runner.logger.info(
            f'FilterGraftingHook: graft {self.num_grafts}, mean alpha per '
            f'local peer {[round(v, 4) for v in self.mean_alphas]}')

    def _log_unpaired_convs(self, runner, model) -> None:
        unpaired = unpaired_convs(model.peers[0].state_dict())
        if unpaired:
            runner.logger.warning(
                f'FilterGraftingHook: {len(unpaired)} conv(s) have no BN '
                'after them and are grafted by bn_fc_mode='
                f"{self.options['bn_fc_mode']!r}, not filter by filter: "
                f'{unpaired[:5]}')

    @staticmethod
    def _peer_model(runner):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if not hasattr(model, 'peers'):
            raise TypeError('FilterGraftingHook needs model.type='
                            f"'DGDPeerClassifier', got {type(model).__name__}")
        return model

    def _graft_in_process(self, model) -> List[Dict[str, float]]:
        if len(model.peers) < 2:
            raise ValueError('FilterGraftingHook: model.num_peers must be '
                             '>= 2 to graft in one process')
        states = [peer.state_dict() for peer in model.peers]
        grafted, alphas = ring_graft(states, **self.options)
        for peer, state in zip(model.peers, grafted):
            peer.load_state_dict(state)
        return alphas

    def _graft_across_ranks(self, model) -> List[Dict[str, float]]:
        own = model.peers[0].state_dict()
        other = receive_from_previous_rank(own)
        grafted, alphas = graft_state_dict(own, other, **self.options)
        model.peers[0].load_state_dict(grafted)
        return [alphas]

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store the hook's state."""
        checkpoint['dgd_grafting'] = dict(num_grafts=self.num_grafts,
                                          mean_alphas=list(self.mean_alphas))
        if (self.rank_states is not None
                and self.rank_states[0]['iter'] == runner.iter):
            checkpoint['dgd_rank_states'] = self.rank_states
        elif self._peer_model(runner).distributed_peers:
            runner.logger.warning(
                'FilterGraftingHook: this checkpoint holds only rank 0\'s '
                'peer (saved outside the CheckpointHook schedule); resuming '
                'from it gives every rank that peer')

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Restore the hook's state."""
        self.loaded_checkpoint = True
        state = checkpoint.get('dgd_grafting')
        if state is not None:
            self.num_grafts = state['num_grafts']
            self.mean_alphas = list(state['mean_alphas'])
        ranks = checkpoint.get('dgd_rank_states')
        if ranks is not None:
            self._select_rank_state(checkpoint, ranks)

    @staticmethod
    def _select_rank_state(checkpoint: dict, ranks: List[dict]) -> None:
        """Put this rank's peer and optimizer state where the runner loads
        them from (it reads the same dict after this hook)."""
        rank, world_size = get_rank(), get_world_size()
        if world_size > len(ranks):
            raise ValueError(
                f'FilterGraftingHook: the checkpoint holds {len(ranks)} '
                f'ranks\' peers, cannot resume {world_size} ranks')
        if world_size < len(ranks):
            print_log(
                f'FilterGraftingHook: the checkpoint holds {len(ranks)} '
                f'ranks\' peers; resuming on {world_size} ranks leaves peers '
                f'{list(range(world_size, len(ranks)))} out',
                logger='current',
                level=logging.WARNING)
        own = ranks[rank]
        weights = checkpoint['state_dict']
        for key, value in own['peer'].items():
            weights[f'peers.0.{key}'] = value
        checkpoint['optimizer'] = own['optimizer']
        # rank g's schedulers hold peer g's base lr (dlr); older checkpoints
        # lack them and keep rank 0's
        if own.get('param_schedulers') is not None:
            checkpoint['param_schedulers'] = own['param_schedulers']
