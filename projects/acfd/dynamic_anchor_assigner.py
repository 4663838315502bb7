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

    Vectorised over anchors and faces in MaxIoUAssigner's (face, anchor)
    layout; centre distances are computed only for faces with fewer than
    ``candidate_topk`` overlapping anchors and for anchors positive for
    some face, predicted-box IoUs only for positive pairs and the
    overlapping pairs of trusted faces.

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

        # (faces, anchors), rows contiguous as in MaxIoUAssigner
        overlaps = self.iou_calculator(gt_bboxes, anchors)
        cand_idx = self._candidates(anchors, gt_bboxes, overlaps)
        pos = self._dynamic_positives(overlaps, cand_idx)
        pred_bboxes = pred_instances.get('bboxes', None)
        if self.compensate and pred_bboxes is not None:
            self._compensate(pred_bboxes, gt_bboxes, overlaps, pos)
        max_overlaps, _ = overlaps.max(dim=0)
        gt_inds[max_overlaps >= self.neg_iou_thr] = -1
        gt_inds[self._ignored(anchors, gt_instances_ignore)] = -1

        pos_anchors = pos.any(dim=0).nonzero().squeeze(1)
        best_gt = self._best_faces(anchors[pos_anchors], gt_bboxes,
                                   overlaps[:, pos_anchors],
                                   pos[:, pos_anchors])
        gt_inds[pos_anchors] = best_gt + 1
        labels[pos_anchors] = gt_labels[best_gt]
        max_overlaps[pos_anchors] = overlaps[best_gt, pos_anchors]
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
    def _proximity(anchors: Tensor, gt_bboxes: Tensor) -> Tensor:
        """Minus the centre distances ``(len(anchors), len(gt_bboxes))``:
        the rank of anchors that do not overlap a face (any IoU ranks
        first)."""
        anchor_ctr = (anchors[:, :2] + anchors[:, 2:]) / 2
        gt_ctr = (gt_bboxes[:, :2] + gt_bboxes[:, 2:]) / 2
        return -torch.cdist(anchor_ctr, gt_ctr)

    def _candidates(self, anchors: Tensor, gt_bboxes: Tensor,
                    overlaps: Tensor) -> Tensor:
        """Indices ``(G, k)`` of each face's candidates, best first: the top
        IoUs, or where fewer than ``k`` anchors overlap the face, those then
        the nearest others (distances are computed for these faces only)."""
        k = min(self.candidate_topk, overlaps.size(1))
        top_ious, cand_idx = overlaps.topk(k, dim=1)
        short = (top_ious[:, -1] <= 0).nonzero().squeeze(1)
        if len(short):
            rows = overlaps[short]
            score = torch.where(rows > 0, rows,
                                self._proximity(anchors, gt_bboxes[short]).T)
            cand_idx[short] = score.topk(k, dim=1).indices
        return cand_idx

    def _dynamic_positives(self, overlaps: Tensor,
                           cand_idx: Tensor) -> Tensor:
        """Positives ``(G, A)``: IoU above the face's dynamic threshold,
        and the floor of best candidates."""
        cand_ious = overlaps.gather(1, cand_idx)
        std = cand_ious.std(dim=1, unbiased=False)
        thr = cand_ious.mean(dim=1) + self.std_factor * std
        # IoU >= thr and IoU > 0 in one pass: no IoU lies strictly between
        # 0 and the smallest positive float.
        smallest = torch.nextafter(thr.new_zeros(()), thr.new_ones(()))
        pos = overlaps >= thr.clamp(min=smallest)[:, None]
        floor = min(self.min_pos_per_gt, cand_idx.size(1))
        if floor > 0:
            pos.scatter_(1, cand_idx[:, :floor], True)
        return pos

    def _compensate(self, pred_bboxes: Tensor, gt_bboxes: Tensor,
                    overlaps: Tensor, pos: Tensor) -> None:
        """Add to ``pos`` the compensated anchors of trustworthy faces.
        Predicted-box IoUs are computed for the positive pairs (trust),
        then for the overlapping pairs of trusted faces only."""
        pred_bboxes = pred_bboxes.detach()
        gt_idx, anchor_idx = pos.nonzero(as_tuple=True)
        pred_ious = self.iou_calculator(
            pred_bboxes[anchor_idx], gt_bboxes[gt_idx], is_aligned=True)
        num_pos = torch.bincount(gt_idx, minlength=len(gt_bboxes)).clamp(
            min=1)
        pos_iou_sum = pred_ious.new_zeros(len(gt_bboxes)).index_add_(
            0, gt_idx, pred_ious)
        trusted = pos_iou_sum / num_pos >= self.comp_trust_iou
        if not trusted.any():
            return
        candidates = overlaps > 0
        if not trusted.all():
            candidates &= trusted[:, None]
        gt_idx, anchor_idx = candidates.nonzero(as_tuple=True)
        pred_ious = self.iou_calculator(
            pred_bboxes[anchor_idx], gt_bboxes[gt_idx], is_aligned=True)
        added = pred_ious >= self.comp_iou_thr
        pos[gt_idx[added], anchor_idx[added]] = True

    def _best_faces(self, anchors: Tensor, gt_bboxes: Tensor,
                    overlaps: Tensor, pos: Tensor) -> Tensor:
        """For anchors positive for some face, that of highest rank (IoU,
        then proximity); ``overlaps`` and ``pos`` are ``(G, len(anchors))``.
        """
        score = torch.where(overlaps > 0, overlaps,
                            self._proximity(anchors, gt_bboxes).T)
        quality = torch.where(pos, score, score.new_tensor(-float('inf')))
        return quality.max(dim=0).indices
