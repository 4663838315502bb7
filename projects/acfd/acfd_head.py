# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ACFD's detection head: RetinaNet's head feeding its regressions to DAM."""
from contextlib import contextmanager
from typing import Iterator, List, Optional

import torch
from mmdet.models.dense_heads import RetinaHead
from mmdet.models.task_modules.prior_generators import anchor_inside_flags
from mmdet.registry import MODELS
from mmdet.utils import InstanceList, OptInstanceList
from mmengine.structures import InstanceData
from torch import Tensor

_PRED_KEY = 'acfd_pred_bboxes'


class _AssignerWithPredictions:
    """Adds the decoded regressions to ``pred_instances`` before assigning."""

    def __init__(self, assigner, pred_bboxes: Tensor) -> None:
        self.assigner = assigner
        self.pred_bboxes = pred_bboxes

    def assign(self, pred_instances: InstanceData, *args, **kwargs):
        pred_instances.bboxes = self.pred_bboxes
        return self.assigner.assign(pred_instances, *args, **kwargs)


@MODELS.register_module()
class ACFDHead(RetinaHead):
    """Detection head of `ACFD <https://arxiv.org/abs/2007.00899>`_.

    mmdet's :class:`RetinaHead` (shared classification and regression towers
    over the pyramid), trained with the margin binary classification loss
    and the dynamic anchor match. mmdet's anchor heads give the assigner the
    anchors only; this head also passes each anchor's decoded, detached box
    regression (``pred_instances.bboxes``) so that DAM can compensate
    anchors online. Arguments are those of :class:`RetinaHead`.
    """

    def loss_by_feat(self,
                     cls_scores: List[Tensor],
                     bbox_preds: List[Tensor],
                     batch_gt_instances: InstanceList,
                     batch_img_metas: List[dict],
                     batch_gt_instances_ignore: OptInstanceList = None
                     ) -> dict:
        """Compute losses, with the decoded regressions in the image metas
        (see :class:`RetinaHead` for the arguments)."""
        pred_bboxes = self._decoded_predictions(cls_scores, bbox_preds,
                                                batch_img_metas)
        metas = [
            dict(meta, **{_PRED_KEY: boxes})
            for meta, boxes in zip(batch_img_metas, pred_bboxes)
        ]
        return super().loss_by_feat(cls_scores, bbox_preds,
                                    batch_gt_instances, metas,
                                    batch_gt_instances_ignore)

    @torch.no_grad()
    def _decoded_predictions(self, cls_scores: List[Tensor],
                             bbox_preds: List[Tensor],
                             batch_img_metas: List[dict]) -> List[Tensor]:
        featmap_sizes = [score.shape[-2:] for score in cls_scores]
        anchor_list, _ = self.get_anchors(
            featmap_sizes, batch_img_metas, device=cls_scores[0].device)
        deltas = torch.cat([
            pred.permute(0, 2, 3, 1).reshape(pred.size(0), -1,
                                             self.bbox_coder.encode_size)
            for pred in bbox_preds
        ], dim=1)
        return [
            self.bbox_coder.decode(torch.cat(anchors), delta)
            for anchors, delta in zip(anchor_list, deltas)
        ]

    @contextmanager
    def _assigner_with(self, pred_bboxes: Tensor) -> Iterator[None]:
        assigner = self.assigner
        self.assigner = _AssignerWithPredictions(assigner, pred_bboxes)
        try:
            yield
        finally:
            self.assigner = assigner

    def _get_targets_single(self,
                            flat_anchors: Tensor,
                            valid_flags: Tensor,
                            gt_instances: InstanceData,
                            img_meta: dict,
                            gt_instances_ignore: Optional[InstanceData] = None,
                            unmap_outputs: bool = True) -> tuple:
        pred_bboxes = img_meta.get(_PRED_KEY)
        if pred_bboxes is None:
            return super()._get_targets_single(flat_anchors, valid_flags,
                                               gt_instances, img_meta,
                                               gt_instances_ignore,
                                               unmap_outputs)
        inside = anchor_inside_flags(flat_anchors, valid_flags,
                                     img_meta['img_shape'][:2],
                                     self.train_cfg['allowed_border'])
        with self._assigner_with(pred_bboxes[inside]):
            return super()._get_targets_single(flat_anchors, valid_flags,
                                               gt_instances, img_meta,
                                               gt_instances_ignore,
                                               unmap_outputs)
