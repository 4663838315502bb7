# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DynamicAnchorAssigner (faces x anchors layout, distances and predicted
IoUs only where needed) against its previous dense implementation, kept here
as a private reference: identical assignments on random scenes with tiny
faces, crowds, ignore boxes and online compensation."""
from typing import Optional

import pytest
import torch
from mmdet.models.task_modules.assigners import AssignResult
from mmengine.structures import InstanceData
from torch import Tensor

from projects.acfd import DynamicAnchorAssigner


class _DenseReferenceDAM(DynamicAnchorAssigner):
    """The rule as first implemented: dense (anchor, face) matrices of IoU,
    normalised centre distance, rank score and predicted-box IoU."""

    def assign(self,
               pred_instances: InstanceData,
               gt_instances: InstanceData,
               gt_instances_ignore: Optional[InstanceData] = None,
               **kwargs) -> AssignResult:
        anchors = pred_instances.priors
        gt_bboxes, gt_labels = gt_instances.bboxes, gt_instances.labels
        num_anchors, num_gts = anchors.size(0), gt_bboxes.size(0)
        gt_inds = anchors.new_zeros((num_anchors, ), dtype=torch.long)
        labels = anchors.new_full((num_anchors, ), -1, dtype=torch.long)
        overlaps = self.iou_calculator(anchors, gt_bboxes)
        anchor_ctr = (anchors[:, :2] + anchors[:, 2:]) / 2
        gt_ctr = (gt_bboxes[:, :2] + gt_bboxes[:, 2:]) / 2
        dist = torch.cdist(anchor_ctr, gt_ctr)
        score = torch.where(overlaps > 0, overlaps, -dist / (dist.max() + 1))
        k = min(self.candidate_topk, num_anchors)
        _, cand_idx = score.topk(k, dim=0)
        cand_ious = overlaps.gather(0, cand_idx)
        thr = cand_ious.mean(dim=0) + self.std_factor * cand_ious.std(
            dim=0, unbiased=False)
        pos = (overlaps >= thr[None]) & (overlaps > 0)
        floor = min(self.min_pos_per_gt, k)
        if floor > 0:
            pos.scatter_(0, cand_idx[:floor], True)
        pred_bboxes = pred_instances.get('bboxes', None)
        if self.compensate and pred_bboxes is not None:
            pred_ious = self.iou_calculator(pred_bboxes, gt_bboxes)
            num_pos = pos.sum(dim=0).clamp(min=1)
            trust = (pred_ious * pos).sum(dim=0) / num_pos >= \
                self.comp_trust_iou
            pos |= trust[None] & (pred_ious >= self.comp_iou_thr) & (
                overlaps > 0)
        quality = torch.where(pos, score, score.new_tensor(-float('inf')))
        best_quality, best_gt = quality.max(dim=1)
        is_pos = best_quality > -float('inf')
        max_overlaps, _ = overlaps.max(dim=1)
        gt_inds[max_overlaps >= self.neg_iou_thr] = -1
        gt_inds[self._ignored(anchors, gt_instances_ignore)] = -1
        gt_inds[is_pos] = best_gt[is_pos] + 1
        labels[is_pos] = gt_labels[best_gt[is_pos]]
        max_overlaps = torch.where(
            is_pos,
            overlaps.gather(1, best_gt[:, None]).squeeze(1), max_overlaps)
        return AssignResult(num_gts, gt_inds, max_overlaps, labels)


def _boxes(num: int, lo: float, hi: float, g: torch.Generator) -> Tensor:
    wh = lo + (hi - lo) * torch.rand(num, 2, generator=g)
    xy = (256 - wh) * torch.rand(num, 2, generator=g)
    return torch.cat([xy, xy + wh], dim=1)


def _scene(seed: int, num_anchors: int, num_faces: int) -> tuple:
    g = torch.Generator().manual_seed(seed)
    anchors = _boxes(num_anchors, 4, 64, g)
    # tiny faces (often overlapping no anchor), crowds and large faces
    faces = torch.cat([
        _boxes(num_faces // 3, 0.5, 3, g),
        _boxes(num_faces - num_faces // 3, 4, 96, g)
    ])
    # Predictions near their anchors, some regressed onto a face, so that
    # some faces become trustworthy and compensate.
    pred = anchors + 2 * torch.randn(anchors.shape, generator=g)
    onto = torch.randint(0, num_faces, (num_anchors, ), generator=g)
    snap = torch.rand(num_anchors, generator=g) < 0.3
    pred[snap] = faces[onto[snap]] + 0.5 * torch.randn(
        int(snap.sum()), 4, generator=g)
    pred_instances = InstanceData(priors=anchors, bboxes=pred)
    gt = InstanceData(
        bboxes=faces,
        labels=torch.randint(0, 3, (num_faces, ), generator=g))
    ignore = InstanceData(bboxes=_boxes(2, 10, 40, g))
    return pred_instances, gt, ignore


@pytest.mark.parametrize('seed, num_anchors, num_faces',
                         [(0, 400, 9), (1, 2000, 30), (2, 50, 12),
                          (3, 6, 4), (4, 3000, 1)])
@pytest.mark.parametrize('kwargs', [
    dict(),
    dict(candidate_topk=20, std_factor=-0.5, min_pos_per_gt=0,
         comp_trust_iou=0.3, comp_iou_thr=0.5),
    dict(compensate=False, ignore_iof_thr=-1, min_pos_per_gt=5),
])
def test_same_assignment_as_dense_reference(seed, num_anchors, num_faces,
                                            kwargs):
    pred, gt, ignore = _scene(seed, num_anchors, num_faces)
    new = DynamicAnchorAssigner(**kwargs).assign(pred, gt, ignore)
    old = _DenseReferenceDAM(**kwargs).assign(pred, gt, ignore)
    assert torch.equal(new.gt_inds, old.gt_inds)
    assert torch.equal(new.labels, old.labels)
    assert torch.equal(new.max_overlaps, old.max_overlaps)
    # the floor gives every face positives
    assert (new.gt_inds > 0).any() or kwargs.get('min_pos_per_gt') == 0


def test_scenes_exercise_every_branch():
    """The scenes above reach the short-candidate ranking, floor positives
    that overlap no face, and compensated anchors."""
    pred, gt, _ = _scene(1, 2000, 30)
    dam = DynamicAnchorAssigner(ignore_iof_thr=-1)
    overlaps = dam.iou_calculator(gt.bboxes, pred.priors)
    assert ((overlaps > 0).sum(dim=1) < dam.candidate_topk).any()
    with_comp = dam.assign(pred, gt)
    without = DynamicAnchorAssigner(
        ignore_iof_thr=-1, compensate=False).assign(pred, gt)
    assert (with_comp.gt_inds > 0).sum() > (without.gt_inds > 0).sum()
    pred, gt, _ = _scene(2, 50, 12)
    result = dam.assign(pred, gt)
    assert (result.max_overlaps[result.gt_inds > 0] == 0).any()
