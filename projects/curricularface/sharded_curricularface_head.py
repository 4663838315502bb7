# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""CurricularFace with the classifier sharded across ranks."""
from typing import List, Optional, Tuple

import torch
from mmengine.dist import get_dist_info
from mmengine.model import initialize
from mmengine.runner import autocast
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor

from projects.facerec.models.class_sharded import (gather_batch, gather_rows,
                                                   shard_range,
                                                   sharded_cross_entropy,
                                                   sum_across_ranks)
from .curricularface_head import CurricularFaceHead


@MODELS.register_module()
class ShardedCurricularFaceHead(CurricularFaceHead):
    """`CurricularFace <https://arxiv.org/abs/2004.00288>`_ head whose
    classifier is sharded by class across ranks, for millions of
    identities (the model-parallel layout of TFace's ``distfc`` head).

    Same logits as :class:`CurricularFaceHead` (:math:`T(c_y)` for the
    target, :math:`N(t, c_j)` for the rest) and the same softmax
    cross-entropy, computed over the all-gathered global batch with the
    model-parallel softmax of :mod:`projects.facerec.models.class_sharded`.
    Rank :math:`r` stores only its classes' rows (``norm_product.weight``,
    excluded from DDP's gradient all-reduce by ``FaceRecognizer``).
    Because every rank sees the global batch, :math:`t` is updated from the
    mean :math:`c_y` of the global batch and is identical on all ranks.
    In a single process it equals :class:`CurricularFaceHead`.

    Args:
        num_classes (int): Total number of identities (all ranks).
        in_channels (int): Embedding dimension.
        scale (float): :math:`s`. Defaults to 64.0.
        margins (float): :math:`m` (one value for all classes).
            Defaults to 0.5.
        momentum (float): :math:`\\alpha`. Defaults to 0.01.
        init_cfg (dict, optional): Initialisation config. Defaults to
            ``dict(type='Normal', layer='Linear', std=0.01)``.
    """

    def __init__(
        self,
        num_classes: int,
        in_channels: int,
        scale: float = 64.,
        margins: float = 0.5,
        momentum: float = 0.01,
        init_cfg: Optional[dict] = dict(
            type='Normal', layer='Linear', std=0.01)
    ) -> None:
        if not isinstance(margins, (float, int)):
            raise TypeError('ShardedCurricularFaceHead: `margins` must be one '
                            f'number, got {type(margins).__name__}')
        rank, world_size = get_dist_info()
        start, end = shard_range(num_classes, rank, world_size)
        super().__init__(
            num_classes=end - start,
            in_channels=in_channels,
            scale=scale,
            margins=float(margins),
            momentum=momentum,
            sync_t=False,
            init_cfg=init_cfg)
        self.num_classes = num_classes
        self.class_start = start
        self.num_local_classes = end - start
        self._full_weight: Optional[Tensor] = None
        self._register_state_dict_hook(_put_full_weight)
        self._register_load_state_dict_pre_hook(
            _take_local_rows, with_module=True)

    def init_weights(self) -> None:
        """Draw the whole (num_classes, D) matrix, keep this rank's rows.

        A shard drawn on its own would start every rank from the same
        first rows (the ranks share the seed unless ``diff_rank_seed``), so
        classes ``[0, C/W)`` and ``[C/W, 2C/W)`` would begin identical. The
        full draw gives each class the row the plain
        :class:`CurricularFaceHead` gets under the same seed.
        """
        if self.is_init or self.init_cfg is None or \
                self.num_local_classes == self.num_classes:
            super().init_weights()
            return
        weight = self.norm_product.weight
        # skip_init: building the holder must not consume random numbers.
        full = torch.nn.utils.skip_init(
            torch.nn.Linear, weight.shape[1], self.num_classes, bias=False)
        initialize(full, self.init_cfg)
        with torch.no_grad():
            weight.copy_(self.local_rows(full.weight))
        self._is_init = True

    def gather_full_weight(self) -> None:
        """Collect every rank's rows for this rank's next ``state_dict``.

        A collective: call it on all ranks (``ShardedClassifierCheckpointHook``
        does so before each checkpoint). mmengine saves checkpoints on rank 0
        only; with this the checkpoint holds all ``num_classes`` rows, and
        loading it on any rank keeps that rank's slice.
        """
        self._full_weight = gather_rows(self.norm_product.weight,
                                        self.num_classes)

    def local_rows(self, full: Tensor) -> Tensor:
        """This rank's rows of a full (num_classes, ...) tensor."""
        return full[self.class_start:self.class_start + self.num_local_classes]

    @property
    def ddp_ignored_params(self) -> List[str]:
        """Sharded parameters that DDP must not average across ranks."""
        return ['norm_product.weight']

    def sharded_logits(self, embedding: Tensor,
                       target: Tensor) -> Tuple[Tensor, Tensor]:
        """This rank's unscaled margin logits over the global batch.

        Args:
            embedding (Tensor): Local embeddings, shape (N, D).
            target (Tensor): Local labels, shape (N,).

        Returns:
            tuple[Tensor, Tensor]: Logits (W*N, C_local) and the gathered
            global labels (W*N,).
        """
        target = self._check_target(target, embedding.shape[0])
        embedding = gather_batch(embedding)
        target = gather_batch(target)
        cosine = self.norm_product(embedding).clamp(-1.0, 1.0)
        local = (target >= self.class_start) & \
            (target < self.class_start + self.num_local_classes)
        column = (target - self.class_start).clamp(0, self.num_local_classes -
                                                   1)[:, None]
        cos_target = sum_across_ranks(
            cosine.gather(1, column) * local[:, None])
        margin = self.margins[:1].to(cosine.dtype).expand_as(cos_target)
        logits, final_target = self.modulate(cosine, cos_target, margin)
        is_target = torch.zeros_like(
            cosine, dtype=torch.bool).scatter(1, column, local[:, None])
        return torch.where(is_target, final_target, logits), target

    def loss(self, feats: Tuple[Tensor], data_samples: List[DataSample],
             **kwargs) -> dict:
        """Model-parallel CurricularFace loss of the global batch."""
        target = torch.cat([i.gt_label for i in data_samples]) \
            if data_samples else torch.zeros(0, dtype=torch.long)
        embedding = self.pre_logits(feats)
        if embedding.dtype in (torch.float16, torch.bfloat16):
            embedding = embedding.float()
        with autocast(enabled=False):
            logits, target = self.sharded_logits(embedding, target)
            loss = sharded_cross_entropy(self.scale * logits, target,
                                         self.class_start)
        return dict(loss=loss)


def _put_full_weight(module: ShardedCurricularFaceHead, state_dict: dict,
                     prefix: str, local_metadata: dict) -> None:
    """State-dict hook: save the gathered full weight once, if any."""
    if module._full_weight is not None:
        state_dict[prefix + 'norm_product.weight'] = module._full_weight
        module._full_weight = None


def _take_local_rows(module: ShardedCurricularFaceHead, state_dict: dict,
                     prefix: str, *args) -> None:
    """Load pre-hook: a full (num_classes, D) weight keeps this rank's rows."""
    key = prefix + 'norm_product.weight'
    weight = state_dict.get(key)
    if weight is not None and weight.shape[0] == module.num_classes != \
            module.num_local_classes:
        state_dict[key] = module.local_rows(weight)
