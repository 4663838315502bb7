# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""N peer classifiers trained together, for grafting and distillation."""
import copy
import logging
import os.path as osp
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Sequence, Union

import torch
import torch.distributed as dist
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModel, ModuleList
from mmengine.runner import CheckpointLoader, load_state_dict
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from .peer_checkpoint import all_peer_weights, select_prefix


ONLINE_TARGETS = ('mean_logits', 'mean_probs')


@contextmanager
def _seeded(seed: Optional[int]) -> Iterator[None]:
    """Draw from ``torch.manual_seed(seed)`` inside, leaving the global
    generators (CPU and the current CUDA device) as they were."""
    if seed is None:
        yield
        return
    devices = [torch.cuda.current_device()] if (
        torch.cuda.is_available() and torch.cuda.is_initialized()) else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


@MODELS.register_module()
class DGDPeerClassifier(BaseModel):
    """N copies of one mmpretrain classifier trained side by side.

    DGD (`Densifying knowledge with filter Grafting and Distillation
    <https://arxiv.org/abs/2004.12311>`_) trains N networks of the same
    architecture; :class:`FilterGraftingHook` grafts network i from i-1 at
    the end of every epoch. This model adds, for peer i,

    .. math::
        L_i = L^{CE}_i + \\lambda T^2 \\,\\mathrm{CE}\\big(
        \\sigma(\\bar z_{-i}/T), \\sigma(z_i / T)\\big)
        + \\lambda_t T^2 \\,\\mathrm{CE}\\big(\\sigma(z_t / T),
        \\sigma(z_i / T)\\big),

    with :math:`\\bar z_{-i}` the mean logits of the other peers (online
    distillation, detached) and :math:`z_t` the mean logits of frozen
    teachers loaded from checkpoints (offline distillation). Each term is
    optional, so one model covers baseline, grafting, distillation and DGD.

    With ``distributed_peers=True`` each rank holds one peer (peer index =
    rank, N = world size); the other peers' logits come through
    ``all_gather``, so all ranks must see the same batch
    (:class:`PeerSampler`), the model must not be wrapped in DDP
    (:class:`DGDPeerWrapper`) and :class:`FilterGraftingHook` (with
    ``graft=False`` for distillation alone) keeps every rank's peer in the
    checkpoints.

    Args:
        classifier (dict): Config of one mmpretrain classifier (e.g.
            ``ImageClassifier``) whose head is a ``ClsHead``.
        num_peers (int): N, peers in this process. Defaults to 2. Ignored
            with ``distributed_peers`` (one per rank).
        distributed_peers (bool): One peer per rank. Defaults to False.
        online_kd (dict, optional): ``PeerKDLoss`` config for distillation
            from the other peers. Defaults to None (off).
        online_target (str): How the other peers are ensembled:
            ``'mean_logits'`` (the softened mean of their logits) or
            ``'mean_probs'`` (the mean of their softened probabilities).
            Defaults to ``'mean_logits'``.
        teacher (dict, optional): Classifier config of the offline teacher.
            Defaults to None: with ``teacher_ckpt``, the peers' own
            ``classifier`` (a trained network of the same architecture).
        teacher_ckpt (str | list[str], optional): Teacher checkpoint(s); the
            teacher logits are their mean. Defaults to None (no offline
            distillation).
        teacher_kd (dict, optional): ``PeerKDLoss`` config of the offline
            term. Defaults to ``dict(type='PeerKDLoss')``.
        teacher_prefix (str): Prefix stripped from the teacher checkpoint
            keys (``'peers.0.'`` for a DGD checkpoint). Defaults to ''.
        eval_peer (int | str): Peer used by ``predict``: a global peer
            index, or ``'ensemble'`` (mean logits of all N peers). One peer
            per rank, ``predict`` first copies the peers it needs from their
            ranks (a collective, as validation runs on every rank), so
            every rank evaluates its data shard with the same network.
            Defaults to 0.
        peer_seed (int, optional): Build and initialise peer g (global
            index) from ``torch.manual_seed(peer_seed + g)``, without
            touching the global generators. Peers then differ while, one
            peer per rank with ``randomness.diff_rank_seed=False``, every
            rank draws the same augmentation, so online distillation
            compares the peers on the same batch; and a peer is the same
            network in one process or on its rank. Required with
            ``distributed_peers``. Defaults to None (the global generator,
            as any mmpretrain model).
        peer_batches (bool): The training batch holds one chunk per local
            peer (:class:`PeerBatchSampler`: chunk :math:`g` from peer
            :math:`g`'s own data order, as the official separate
            processes), and peer :math:`g` trains on chunk :math:`g` only.
            Online distillation then takes the other peers' logits on
            peer :math:`g`'s chunk (no gradient; BN on the chunk's batch
            statistics, the running ones left untouched) and offline
            distillation the teachers' on it. Defaults to False (every
            peer trains on the whole, shared batch).
        data_preprocessor (dict, optional): Defaults to
            ``ClsDataPreprocessor``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 classifier: dict,
                 num_peers: int = 2,
                 distributed_peers: bool = False,
                 online_kd: Optional[dict] = None,
                 teacher: Optional[dict] = None,
                 teacher_ckpt: Union[str, Sequence[str], None] = None,
                 teacher_kd: Optional[dict] = None,
                 teacher_prefix: str = '',
                 online_target: str = 'mean_logits',
                 eval_peer: Union[int, str] = 0,
                 peer_seed: Optional[int] = None,
                 peer_batches: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        data_preprocessor = dict(data_preprocessor or {})
        data_preprocessor.setdefault('type', 'mmpretrain.ClsDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if not distributed_peers and num_peers < 1:
            raise ValueError(f'DGDPeerClassifier: num_peers must be >= 1, '
                             f'got {num_peers}')
        if distributed_peers and peer_seed is None:
            raise ValueError(
                'DGDPeerClassifier: model.distributed_peers needs '
                'model.peer_seed: mmengine broadcasts rank 0\'s initial '
                'weights to every rank, so the peers are re-initialised from '
                'their seeds when training starts')
        if peer_batches and distributed_peers:
            raise ValueError(
                'DGDPeerClassifier: model.peer_batches splits the batch '
                'among the peers of one process; with distributed_peers '
                'give each rank its own order with PeerSampler('
                'per_rank_order=True) instead')
        self.distributed_peers = distributed_peers
        self.peer_seed = peer_seed
        self.peer_batches = peer_batches
        self.classifier_cfg = copy.deepcopy(classifier)
        local = 1 if distributed_peers else num_peers
        # mmengine's ModuleList, so that init_weights reaches the peers'
        # init_cfg (torch's nn.ModuleList has no init_weights)
        peers = []
        for index in range(local):
            with _seeded(self._seed_of(index)):
                peers.append(MODELS.build(copy.deepcopy(classifier)))
        self.peers = ModuleList(peers)
        if not hasattr(self.peers[0], 'head') or not hasattr(
                self.peers[0].head, '_get_loss'):
            raise TypeError('DGDPeerClassifier: model.classifier must build '
                            'a classifier with a ClsHead head')
        self.eval_peer = eval_peer
        if online_target not in ONLINE_TARGETS:
            raise ValueError(f'DGDPeerClassifier: online_target must be one '
                             f'of {ONLINE_TARGETS}, got {online_target!r}')
        self.online_target = online_target
        self._check_eval_peer()
        # one peer per rank: copies of the peers predict needs, taken from
        # their ranks when evaluation starts; a plain list, so that they are
        # neither in the state dict nor given to the optimizer
        self._eval_copies: Optional[List[nn.Module]] = None
        # set by FilterGraftingHook, which keeps every rank's peer in the
        # checkpoints; one peer per rank without it, they hold rank 0's only
        self.rank_states_kept = False
        self._warned_rank_states = False
        self.online_kd = MODELS.build(online_kd) if online_kd else None
        if online_kd and not distributed_peers and num_peers < 2:
            print_log(
                'DGDPeerClassifier: model.online_kd has no other peer to '
                'learn from with num_peers=1; no loss_kd is computed',
                logger='current',
                level=logging.WARNING)
        self._build_teachers(teacher, teacher_ckpt, teacher_kd, teacher_prefix)

    def _build_teachers(self, teacher: Optional[dict],
                        teacher_ckpt: Union[str, Sequence[str],
                                            None], teacher_kd: Optional[dict],
                        teacher_prefix: str) -> None:
        if teacher_ckpt is None:
            given = [
                name for name, value in (('teacher', teacher), (
                    'teacher_kd', teacher_kd), ('teacher_prefix',
                                                teacher_prefix)) if value
            ]
            if given:
                raise ValueError(
                    f'DGDPeerClassifier: model.{given[0]} needs '
                    'model.teacher_ckpt, the teacher\'s weights')
        ckpts = [teacher_ckpt] if isinstance(teacher_ckpt, str) else list(
            teacher_ckpt or [])
        teacher = teacher or self.classifier_cfg
        self.teacher_ckpts = ckpts
        self.teacher_prefix = teacher_prefix
        # torch's ModuleList: init_weights leaves the teachers alone, their
        # weights come from teacher_ckpt
        self.teachers = nn.ModuleList(
            MODELS.build(copy.deepcopy(teacher)) for _ in ckpts)
        for param in self.teachers.parameters():
            param.requires_grad_(False)
        self.teacher_kd = MODELS.build(
            teacher_kd or dict(type='PeerKDLoss')) if ckpts else None

    def _seed_of(self, index: int) -> Optional[int]:
        """The seed of local peer ``index`` (None: global generator)."""
        if self.peer_seed is None:
            return None
        return self.peer_seed + self.peer_offset + index

    def init_weights(self) -> None:
        """Initialise the peers (each from its seed), then load the frozen
        teachers."""
        if self.peer_seed is not None:
            for index, peer in enumerate(self.peers):
                with _seeded(self._seed_of(index)):
                    peer.init_weights()
        super().init_weights()
        self._load_teachers()

    def reset_local_peers(self) -> None:
        """Give the local peers again the weights their seeds build and
        initialise (as :meth:`__init__` and :meth:`init_weights` do), in
        place.

        One peer per rank, mmengine's runner broadcasts rank 0's weights
        after ``init_weights``, which would start every rank from peer 0;
        :class:`FilterGraftingHook` calls this before training when no
        checkpoint was loaded.
        """
        for index, peer in enumerate(self.peers):
            with _seeded(self._seed_of(index)):
                fresh = MODELS.build(copy.deepcopy(self.classifier_cfg))
            with _seeded(self._seed_of(index)):
                fresh.init_weights()
            peer.load_state_dict(fresh.state_dict())

    def _load_teachers(self) -> None:
        for module, ckpt in zip(self.teachers, self.teacher_ckpts):
            if '://' not in ckpt and not osp.isfile(ckpt):
                raise FileNotFoundError(
                    f'DGDPeerClassifier: model.teacher_ckpt {ckpt!r} does '
                    'not exist (train the teacher first, or set the path '
                    'with --cfg-options model.teacher_ckpt=PATH)')
            checkpoint = CheckpointLoader.load_checkpoint(ckpt,
                                                          map_location='cpu')
            try:
                weights = select_prefix(all_peer_weights(checkpoint),
                                        self.teacher_prefix, ckpt)
            except (KeyError, ValueError) as error:
                raise ValueError('DGDPeerClassifier: model.teacher_prefix: '
                                 f'{error.args[0]}') from None
            # strict: a teacher that does not match its config must not
            # train the peers with half-random logits
            load_state_dict(module, weights, strict=True)
            print_log(
                f'DGDPeerClassifier: teacher loaded from {ckpt} '
                f'(keys under {self.teacher_prefix!r})',
                logger='current')

    def train(self, mode: bool = True) -> 'DGDPeerClassifier':
        """Set train mode; the teachers always stay in eval mode."""
        super().train(mode)
        self.teachers.eval()
        if mode:
            self._eval_copies = None  # the peers will change
        return self

    def _check_eval_peer(self) -> None:
        total = self.num_peers
        if self.eval_peer != 'ensemble' and not (isinstance(
                self.eval_peer, int) and 0 <= self.eval_peer < total):
            raise ValueError(f'DGDPeerClassifier: eval_peer must be '
                             f"'ensemble' or in [0, {total}), got "
                             f'{self.eval_peer!r}')

    def _across_ranks(self) -> bool:
        return (self.distributed_peers and dist.is_initialized()
                and dist.get_world_size() > 1)

    def _eval_peers(self) -> List[nn.Module]:
        """The peers ``predict`` averages: ``eval_peer`` or all of them."""
        if not self._across_ranks():
            if self.eval_peer == 'ensemble':
                return list(self.peers)
            return [self.peers[self.eval_peer]]
        if self._eval_copies is None:
            wanted = range(self.num_peers) if (
                self.eval_peer == 'ensemble') else [self.eval_peer]
            self._eval_copies = [self._copy_from_rank(g) for g in wanted]
        return self._eval_copies

    def _copy_from_rank(self, rank: int) -> nn.Module:
        """Peer ``rank``'s network, broadcast to every rank."""
        replica = copy.deepcopy(self.peers[0]).eval()
        for tensor in replica.state_dict().values():
            dist.broadcast(tensor, src=rank)
        return replica

    @property
    def peer_offset(self) -> int:
        """Global index of the first local peer (the rank when
        distributed)."""
        if self.distributed_peers and dist.is_initialized():
            return dist.get_rank()
        return 0

    @property
    def num_peers(self) -> int:
        """N, the total number of peers across ranks."""
        if self.distributed_peers:
            return dist.get_world_size() if dist.is_initialized() else 1
        return len(self.peers)

    def _peer_logits(self, peer: nn.Module,
                     inputs: torch.Tensor) -> torch.Tensor:
        if inputs.shape[0] == 0:  # mmpretrain's GAP neck cannot view 0 rows
            return inputs.new_zeros((0, peer.head.num_classes))
        return peer.head(peer.extract_feat(inputs))

    def _all_logits(self, local: List[torch.Tensor]) -> List[torch.Tensor]:
        """Detached logits of all N peers, in global peer order."""
        detached = [z.detach() for z in local]
        if not (self.distributed_peers and dist.is_initialized()):
            return detached
        gathered = [
            torch.empty_like(detached[0]) for _ in range(dist.get_world_size())
        ]
        dist.all_gather(gathered, detached[0].contiguous())
        return gathered

    def _ensemble(self, others: List[torch.Tensor]) -> torch.Tensor:
        """The other peers' ensemble, as logits for ``online_kd``.

        ``'mean_probs'`` returns :math:`s \\log \\bar p` with
        :math:`\\bar p` the mean of :math:`\\sigma(z_j / s)` and :math:`s`
        the temperature ``online_kd`` applies to its target, so that its
        target is exactly :math:`\\bar p`.
        """
        stacked = torch.stack(others)
        if self.online_target == 'mean_logits':
            return stacked.mean(0)
        scale = self.online_kd.temperature if getattr(
            self.online_kd, 'soften_teacher', True) else 1.0
        probs = torch.softmax(stacked / scale, dim=-1).mean(0)
        return scale * torch.log(probs.clamp_min(1e-12))

    def _check_rank_states_kept(self) -> None:
        if (self._warned_rank_states or self.rank_states_kept
                or not self._across_ranks()):
            return
        self._warned_rank_states = True
        print_log(
            'DGDPeerClassifier: one peer per rank without '
            'FilterGraftingHook: checkpoints will hold rank 0\'s peer only '
            'and a resume gives it to every rank; add '
            "custom_hooks=[dict(type='FilterGraftingHook', graft=False)] "
            'to keep every rank\'s peer',
            logger='current',
            level=logging.WARNING)

    def _teacher_logits(self, inputs: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return torch.stack(
                [self._peer_logits(t, inputs) for t in self.teachers]).mean(0)

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """CE of every local peer plus the enabled distillation terms."""
        if inputs.shape[0] == 0:
            raise ValueError('DGDPeerClassifier.loss: the batch is empty '
                             '(check train_dataloader.batch_size/dataset)')
        self._check_rank_states_kept()
        if self.peer_batches:
            return self._loss_own_batches(inputs, data_samples)
        local = [self._peer_logits(p, inputs) for p in self.peers]
        everyone = self._all_logits(local) if self.online_kd else []
        teacher = self._teacher_logits(inputs) if self.teacher_kd else None
        losses: Dict[str, torch.Tensor] = {}
        for i, (peer, logits) in enumerate(zip(self.peers, local)):
            index = self.peer_offset + i
            for key, value in peer.head._get_loss(logits,
                                                  data_samples).items():
                name = 'loss_cls' if key == 'loss' else key
                losses[f'peer{index}.{name}'] = value
            others = [z for j, z in enumerate(everyone) if j != index]
            if others:
                losses[f'peer{index}.loss_kd'] = self.online_kd(
                    logits,
                    self._ensemble(others))
            if teacher is not None:
                losses[f'peer{index}.loss_teacher'] = self.teacher_kd(
                    logits, teacher)
        return losses

    def _loss_own_batches(
            self, inputs: torch.Tensor,
            data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """Losses with ``peer_batches``: peer g on chunk g of the batch."""
        num = len(self.peers)
        if inputs.shape[0] % num:
            raise ValueError(
                f'DGDPeerClassifier: model.peer_batches needs a batch of '
                f'{num} equal chunks (PeerBatchSampler), got '
                f'{inputs.shape[0]} images')
        size = inputs.shape[0] // num
        losses: Dict[str, torch.Tensor] = {}
        for index, peer in enumerate(self.peers):
            rows = slice(index * size, (index + 1) * size)
            chunk, samples = inputs[rows], data_samples[rows]
            logits = self._peer_logits(peer, chunk)
            for key, value in peer.head._get_loss(logits, samples).items():
                name = 'loss_cls' if key == 'loss' else key
                losses[f'peer{index}.{name}'] = value
            if self.online_kd and num > 1:
                others = [
                    self._side_logits(other, chunk)
                    for j, other in enumerate(self.peers) if j != index
                ]
                losses[f'peer{index}.loss_kd'] = self.online_kd(
                    logits, self._ensemble(others))
            if self.teacher_kd:
                losses[f'peer{index}.loss_teacher'] = self.teacher_kd(
                    logits, self._teacher_logits(chunk))
        return losses

    def _side_logits(self, peer: nn.Module,
                     inputs: torch.Tensor) -> torch.Tensor:
        """``peer``'s logits on another peer's chunk: no gradient, BN on
        the chunk's batch statistics without updating the running ones
        (``track_running_stats`` off meanwhile: no in-place change that
        the peer's own backward would see)."""
        norms = [
            m for m in peer.modules()
            if isinstance(m, nn.modules.batchnorm._BatchNorm)
            and m.track_running_stats
        ]
        for module in norms:
            module.track_running_stats = False
        try:
            with torch.no_grad():
                return self._peer_logits(peer, inputs)
        finally:
            for module in norms:
                module.track_running_stats = True

    def _forward(
            self,
            inputs: torch.Tensor,
            data_samples: Optional[List[DataSample]] = None) -> torch.Tensor:
        """Logits of ``eval_peer`` (or the mean logits of the peers)."""
        return torch.stack([
            self._peer_logits(peer, inputs) for peer in self._eval_peers()
        ]).mean(0)

    def predict(
            self,
            inputs: torch.Tensor,
            data_samples: Optional[List[DataSample]] = None
    ) -> List[DataSample]:
        """Predict with ``eval_peer`` through the peer head's post-process."""
        logits = self._forward(inputs)
        return self.peers[0].head._get_predictions(logits, data_samples)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """mmengine entry: ``'tensor'``, ``'loss'`` or ``'predict'``."""
        if mode == 'tensor':
            return self._forward(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'DGDPeerClassifier: invalid mode "{mode}"')
