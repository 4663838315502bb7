# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""N peer classifiers trained together, for grafting and distillation."""
import copy
import re
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.distributed as dist
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.runner import load_checkpoint
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample


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
    (:class:`PeerSampler`) and the model must not be wrapped in DDP
    (:class:`DGDPeerWrapper`).

    Args:
        classifier (dict): Config of one mmpretrain classifier (e.g.
            ``ImageClassifier``) whose head is a ``ClsHead``.
        num_peers (int): N, peers in this process. Defaults to 2. Ignored
            with ``distributed_peers`` (one per rank).
        distributed_peers (bool): One peer per rank. Defaults to False.
        online_kd (dict, optional): ``PeerKDLoss`` config for distillation
            from the other peers. Defaults to None (off).
        teacher (dict, optional): Classifier config of the offline teacher.
            Defaults to None.
        teacher_ckpt (str | list[str], optional): Teacher checkpoint(s); the
            teacher logits are their mean. Defaults to None.
        teacher_kd (dict, optional): ``PeerKDLoss`` config of the offline
            term. Defaults to ``dict(type='PeerKDLoss')``.
        teacher_prefix (str): Prefix stripped from the teacher checkpoint
            keys (``'peers.0.'`` for a DGD checkpoint). Defaults to ''.
        eval_peer (int | str): Peer used by ``predict``: an index, or
            ``'ensemble'`` (mean logits of the local peers). Defaults to 0.
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
                 eval_peer: Union[int, str] = 0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        data_preprocessor = dict(data_preprocessor or {})
        data_preprocessor.setdefault('type', 'mmpretrain.ClsDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if not distributed_peers and num_peers < 1:
            raise ValueError(f'DGDPeerClassifier: num_peers must be >= 1, '
                             f'got {num_peers}')
        self.distributed_peers = distributed_peers
        local = 1 if distributed_peers else num_peers
        self.peers = nn.ModuleList(
            MODELS.build(copy.deepcopy(classifier)) for _ in range(local))
        if not hasattr(self.peers[0], 'head') or not hasattr(
                self.peers[0].head, '_get_loss'):
            raise TypeError('DGDPeerClassifier: model.classifier must build '
                            'a classifier with a ClsHead head')
        if eval_peer != 'ensemble' and not (isinstance(eval_peer, int)
                                            and 0 <= eval_peer < local):
            raise ValueError(f'DGDPeerClassifier: eval_peer must be '
                             f"'ensemble' or in [0, {local}), got "
                             f'{eval_peer!r}')
        self.eval_peer = eval_peer
        self.online_kd = MODELS.build(online_kd) if online_kd else None
        self._build_teachers(teacher, teacher_ckpt, teacher_kd, teacher_prefix)

    def _build_teachers(self, teacher: Optional[dict],
                        teacher_ckpt: Union[str, Sequence[str],
                                            None], teacher_kd: Optional[dict],
                        teacher_prefix: str) -> None:
        if (teacher is None) != (teacher_ckpt is None):
            raise ValueError('DGDPeerClassifier: model.teacher and '
                             'model.teacher_ckpt must be given together')
        ckpts = [teacher_ckpt] if isinstance(teacher_ckpt, str) else list(
            teacher_ckpt or [])
        self.teacher_ckpts = ckpts
        self.teacher_prefix = teacher_prefix
        self.teachers = nn.ModuleList(
            MODELS.build(copy.deepcopy(teacher)) for _ in ckpts)
        for param in self.teachers.parameters():
            param.requires_grad_(False)
        self.teacher_kd = MODELS.build(
            teacher_kd or dict(type='PeerKDLoss')) if ckpts else None

    def init_weights(self) -> None:
        """Initialise the peers, then load the frozen teachers."""
        super().init_weights()
        revise = [(r'^module\.', '')]
        if self.teacher_prefix:
            revise.append((f'^{re.escape(self.teacher_prefix)}', ''))
        for module, ckpt in zip(self.teachers, self.teacher_ckpts):
            load_checkpoint(module,
                            ckpt,
                            map_location='cpu',
                            strict=True,
                            revise_keys=revise)

    def train(self, mode: bool = True) -> 'DGDPeerClassifier':
        """Set train mode; the teachers always stay in eval mode."""
        super().train(mode)
        self.teachers.eval()
        return self

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
                    torch.stack(others).mean(0))
            if teacher is not None:
                losses[f'peer{index}.loss_teacher'] = self.teacher_kd(
                    logits, teacher)
        return losses

    def _forward(
            self,
            inputs: torch.Tensor,
            data_samples: Optional[List[DataSample]] = None) -> torch.Tensor:
        """Logits of ``eval_peer`` (or the mean logits of the peers)."""
        if self.eval_peer == 'ensemble':
            return torch.stack(
                [self._peer_logits(p, inputs) for p in self.peers]).mean(0)
        return self._peer_logits(self.peers[self.eval_peer], inputs)

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
