# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DAM: ACFD's dynamic anchor match."""
from typing import Optional

import torch
from mmdet.models.task_modules.assigners import AssignResult, BaseAssigner
from mmdet.registry import TASK_UTILS
from mmdet.utils import ConfigType
from mmengine.structures import InstanceData
from torch import Tensor


@TASK_UTILS.register_module()
class DynamicAnchorAssigner(BaseAssigner):
    """Dynamic anchor match (DAM) of `ACFD: Asymmetric Cartoon Face Detector
    <https://arxiv.org/abs/2007.00899>`_.

    Gives every face enough high-quality anchors, whatever its size and
    aspect ratio. The paper names the module; the rule below is our
    reconstruction (``configs/acfd/README.md``). For face :math:`g`:

    1. **Candidates**: the ``candidate_topk`` anchors ranked by IoU with
       :math:`g` (anchors that do not overlap it rank after those that do, by
       centre distance).
    2. **Dynamic threshold** from their IoUs:
       :math:`t_g = \\mu_g + \\lambda \\sigma_g` (``std_factor`` =
       :math:`\\lambda`); anchors with :math:`IoU \\ge t_g` are positive.
    3. **Floor**: the best ``min_pos_per_gt`` candidates are positive in any
       case, so a tiny face that no anchor overlaps still gets the nearest
       anchors.
    4. **Online compensation** (when ``pred_instances.bboxes`` holds the
       decoded regressions): once the regression of face :math:`g` is
       trustworthy, i.e. the mean IoU of its positives' predicted boxes is at
       least ``comp_trust_iou``, anchors that overlap :math:`g` and whose
       predicted box reaches ``comp_iou_thr`` IoU become positive too.
    5. An anchor wanted by several faces goes to the one it overlaps most.
       Other anchors are negative below ``neg_iou_thr`` IoU, ignored above
       it, and ignored when they fall in an ignore box (IoF above
       ``ignore_iof_thr``).

    Fully vectorised over anchors and faces.

    Args:
        candidate_topk (int): Candidates per face. Defaults to 9.
        std_factor (float): :math:`\\lambda`. Defaults to 1.0.
        min_pos_per_gt (int): Floor on positives per face. Defaults to 2.
        neg_iou_thr (float): Max IoU of a negative. Defaults to 0.4.
        compensate (bool): Online compensation. Defaults to True.
        comp_trust_iou (float): Mean predicted IoU that makes a face's
            regression trustworthy. Defaults to 0.5.
        comp_iou_thr (float): Predicted-box IoU of a compensated anchor.
            Defaults to 0.6.
        ignore_iof_thr (float): IoF with an ignore box above which an anchor
            is ignored; negative disables. Defaults to 0.5.
        iou_calculator (dict): IoU calculator. Defaults to
            ``dict(type='BboxOverlaps2D')``.
    """

    def __init__(self,
                 candidate_topk: int = 9,
                 std_factor: float = 1.0,
                 min_pos_per_gt: int = 2,
                 neg_iou_thr: float = 0.4,
                 compensate: bool = True,
                 comp_trust_iou: float = 0.5,
                 comp_iou_thr: float = 0.6,
                 ignore_iof_thr: float = 0.5,
                 iou_calculator: ConfigType = dict(type='BboxOverlaps2D')
                 ) -> None:
        if candidate_topk < 1 or min_pos_per_gt < 0:
            raise ValueError('candidate_topk must be >= 1 and min_pos_per_gt '
                             f'>= 0, got {candidate_topk}, {min_pos_per_gt}')
        self.candidate_topk = candidate_topk
        self.std_factor = std_factor
        self.min_pos_per_gt = min(min_pos_per_gt, candidate_topk)
        self.neg_iou_thr = neg_iou_thr
        self.compensate = compensate
        self.comp_trust_iou = comp_trust_iou
        self.comp_iou_thr = comp_iou_thr
        self.ignore_iof_thr = ignore_iof_thr
        self.iou_calculator = TASK_UTILS.build(iou_calculator)

    def assign(self,
               pred_instances: InstanceData,
               gt_instances: InstanceData,
               gt_instances_ignore: Optional[InstanceData] = None,
               **kwargs) -> AssignResult:
        """Assign faces to anchors.

        Args:
            pred_instances (InstanceData): ``priors`` (anchors, (A, 4)) and
                optionally ``bboxes``, the decoded regressions (A, 4).
            gt_instances (InstanceData): ``bboxes`` (G, 4) and ``labels``.
            gt_instances_ignore (InstanceData, optional): ``bboxes`` of
                regions to ignore.

        Returns:
            AssignResult: 1-based face index per anchor (0 negative, -1
            ignored), its IoU and label.
        """
        anchors = pred_instances.priors
        gt_bboxes = gt_instances.bboxes
        gt_labels = gt_instances.labels
        num_anchors, num_gts = anchors.size(0), gt_bboxes.size(0)
        gt_inds = anchors.new_zeros((num_anchors, ), dtype=torch.long)
        labels = anchors.new_full((num_anchors, ), -1, dtype=torch.long)
        if num_gts == 0 or num_anchors == 0:
            # an image whose faces are all ignore boxes: still ignore them
            gt_inds[self._ignored(anchors, gt_instances_ignore)] = -1
            return AssignResult(num_gts, gt_inds,
                                anchors.new_zeros((num_anchors, )), labels)

        overlaps = self.iou_calculator(anchors, gt_bboxes)
        score = self._rank_score(anchors, gt_bboxes, overlaps)
        pos = self._dynamic_positives(overlaps, score)
        pred_bboxes = pred_instances.get('bboxes', None)
        if self.compensate and pred_bboxes is not None:
            pos |= self._compensated(pred_bboxes, gt_bboxes, overlaps, pos)

        quality = torch.where(pos, score, score.new_tensor(-float('inf')))
        best_quality, best_gt = quality.max(dim=1)
        is_pos = best_quality > -float('inf')
        max_overlaps, _ = overlaps.max(dim=1)

        gt_inds[max_overlaps >= self.neg_iou_thr] = -1
        gt_inds[self._ignored(anchors, gt_instances_ignore)] = -1
        gt_inds[is_pos] = best_gt[is_pos] + 1
        labels[is_pos] = gt_labels[best_gt[is_pos]]
        max_overlaps = torch.where(
            is_pos, overlaps.gather(1, best_gt[:, None]).squeeze(1),
            max_overlaps)
        return AssignResult(num_gts, gt_inds, max_overlaps, labels)

    def _ignored(self, anchors: Tensor,
                 gt_instances_ignore: Optional[InstanceData]) -> Tensor:
        """Anchors whose IoF with an ignore box exceeds
        ``ignore_iof_thr``."""
        ignored = anchors.new_zeros((anchors.size(0), ), dtype=torch.bool)
        if (gt_instances_ignore is None or self.ignore_iof_thr <= 0
                or len(gt_instances_ignore) == 0 or anchors.size(0) == 0):
            return ignored
        iof = self.iou_calculator(anchors,
                                  gt_instances_ignore.bboxes,
                                  mode='iof')
        return iof.max(dim=1).values > self.ignore_iof_thr

    @staticmethod
    def _rank_score(anchors: Tensor, gt_bboxes: Tensor,
                    overlaps: Tensor) -> Tensor:
        """IoU where positive; otherwise minus the normalised centre
        distance, so that non-overlapping anchors rank by proximity."""
        anchor_ctr = (anchors[:, :2] + anchors[:, 2:]) / 2
        gt_ctr = (gt_bboxes[:, :2] + gt_bboxes[:, 2:]) / 2
        dist = torch.cdist(anchor_ctr, gt_ctr)
        proximity = -dist / (dist.max() + 1)
        return torch.where(overlaps > 0, overlaps, proximity)

    def _dynamic_positives(self, overlaps: Tensor, score: Tensor) -> Tensor:
        k = min(self.candidate_topk, overlaps.size(0))
        _, cand_idx = score.topk(k, dim=0)
        cand_ious = overlaps.gather(0, cand_idx)
        std = cand_ious.std(dim=0, unbiased=False)
        thr = cand_ious.mean(dim=0) + self.std_factor * std
        pos = (overlaps >= thr[None]) & (overlaps > 0)
        floor = min(self.min_pos_per_gt, k)
        if floor > 0:
            pos.scatter_(0, cand_idx[:floor], True)
        return pos

    def _compensated(self, pred_bboxes: Tensor, gt_bboxes: Tensor,
                     overlaps: Tensor, pos: Tensor) -> Tensor:
        pred_ious = self.iou_calculator(pred_bboxes.detach(), gt_bboxes)
        num_pos = pos.sum(dim=0).clamp(min=1)
        trust = (pred_ious * pos).sum(dim=0) / num_pos >= self.comp_trust_iou
        return trust[None] & (pred_ious >= self.comp_iou_thr) & (overlaps > 0)
