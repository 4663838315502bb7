# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DynamicAnchorAssigner (positive and compensated (face, anchor) pairs,
distances and predicted IoUs only where needed, pair ops in thread-sized
runs) against its first, dense implementation, kept here as a private
reference: identical assignments on random scenes with tiny faces, crowds,
tied IoUs, degenerate predictions, ignore boxes and online compensation."""
from typing import Optional

import pytest
import torch
from mmdet.models.task_modules.assigners import AssignResult
from mmengine.structures import InstanceData
from torch import Tensor

from projects.acfd import DynamicAnchorAssigner
from projects.acfd import dynamic_anchor_assigner as dam_module


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
        if (gt_instances_ignore is not None and self.ignore_iof_thr > 0
                and len(gt_instances_ignore)):
            iof = self.iou_calculator(
                anchors, gt_instances_ignore.bboxes, mode='iof')
            gt_inds[iof.max(dim=1).values > self.ignore_iof_thr] = -1
        gt_inds[is_pos] = best_gt[is_pos] + 1
        labels[is_pos] = gt_labels[best_gt[is_pos]]
        max_overlaps = torch.where(
            is_pos,
            overlaps.gather(1, best_gt[:, None]).squeeze(1), max_overlaps)
        return AssignResult(num_gts, gt_inds, max_overlaps, labels)


class _FaceAnchorReferenceDAM(DynamicAnchorAssigner):
    """The second implementation: IoUs in the (face, anchor) layout, a dense
    (face, anchor) mask of positives; distances and predicted-box IoUs only
    where needed. Its thresholds are computed as DAM's are, so that it also
    pins scenes with exactly tied IoUs, where the dense reference's
    thresholds differ in the last bit."""

    def assign(self,
               pred_instances: InstanceData,
               gt_instances: InstanceData,
               gt_instances_ignore: Optional[InstanceData] = None,
               **kwargs) -> AssignResult:
        anchors = pred_instances.priors
        gt_bboxes, gt_labels = gt_instances.bboxes, gt_instances.labels
        gt_inds = anchors.new_zeros((len(anchors), ), dtype=torch.long)
        labels = anchors.new_full((len(anchors), ), -1, dtype=torch.long)
        overlaps = self.iou_calculator(gt_bboxes, anchors)
        k = min(self.candidate_topk, overlaps.size(1))
        top_ious, cand_idx = overlaps.topk(k, dim=1)
        short = (top_ious[:, -1] <= 0).nonzero().squeeze(1)
        if len(short):
            rows = overlaps[short]
            score = torch.where(rows > 0, rows,
                                self._proximity(anchors, gt_bboxes[short]).T)
            cand_idx[short] = score.topk(k, dim=1).indices
        cand_ious = overlaps.gather(1, cand_idx)
        thr = cand_ious.mean(dim=1) + self.std_factor * cand_ious.std(
            dim=1, unbiased=False)
        pos = (overlaps >= thr[:, None]) & (overlaps > 0)
        pos.scatter_(1, cand_idx[:, :min(self.min_pos_per_gt, k)], True)
        pred_bboxes = pred_instances.get('bboxes', None)
        if self.compensate and pred_bboxes is not None:
            gt_idx, anchor_idx = pos.nonzero(as_tuple=True)
            pred_ious = self.iou_calculator(
                pred_bboxes[anchor_idx], gt_bboxes[gt_idx], is_aligned=True)
            num_pos = torch.bincount(gt_idx, minlength=len(gt_bboxes))
            trusted = pred_ious.new_zeros(len(gt_bboxes)).index_add_(
                0, gt_idx, pred_ious) / num_pos.clamp(min=1) >= \
                self.comp_trust_iou
            gt_idx, anchor_idx = ((overlaps > 0)
                                  & trusted[:, None]).nonzero(as_tuple=True)
            pred_ious = self.iou_calculator(
                pred_bboxes[anchor_idx], gt_bboxes[gt_idx], is_aligned=True)
            added = pred_ious >= self.comp_iou_thr
            pos[gt_idx[added], anchor_idx[added]] = True
        max_overlaps = overlaps.max(dim=0).values
        gt_inds[max_overlaps >= self.neg_iou_thr] = -1
        if (gt_instances_ignore is not None and self.ignore_iof_thr > 0
                and len(gt_instances_ignore)):
            iof = self.iou_calculator(
                anchors, gt_instances_ignore.bboxes, mode='iof')
            gt_inds[iof.max(dim=1).values > self.ignore_iof_thr] = -1
        pos_anchors = pos.any(dim=0).nonzero().squeeze(1)
        rows = overlaps[:, pos_anchors]
        score = torch.where(
            rows > 0, rows, self._proximity(anchors[pos_anchors], gt_bboxes).T)
        best_gt = torch.where(pos[:, pos_anchors], score,
                              score.new_tensor(-float('inf'))).max(dim=0)[1]
        gt_inds[pos_anchors] = best_gt + 1
        labels[pos_anchors] = gt_labels[best_gt]
        max_overlaps[pos_anchors] = overlaps[best_gt, pos_anchors]
        return AssignResult(len(gt_bboxes), gt_inds, max_overlaps, labels)


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


def _assert_same(new: AssignResult, old: AssignResult) -> None:
    assert torch.equal(new.gt_inds, old.gt_inds)
    assert torch.equal(new.labels, old.labels)
    assert torch.equal(new.max_overlaps, old.max_overlaps)


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
    for reference in (_DenseReferenceDAM, _FaceAnchorReferenceDAM):
        _assert_same(new, reference(**kwargs).assign(pred, gt, ignore))
    # the floor gives every face positives
    assert (new.gt_inds > 0).any() or kwargs.get('min_pos_per_gt') == 0


def _tied_scene(seed: int) -> tuple:
    """Anchors repeated 4 to 12 times (faces see tied IoUs past their
    candidates), some predictions inverted or of zero area."""
    pred, gt, ignore = _scene(seed, 300, 12)
    g = torch.Generator().manual_seed(seed)
    repeats = torch.randint(4, 13, (len(pred), ), generator=g)
    anchors = pred.priors.repeat_interleave(repeats, dim=0)
    boxes = pred.bboxes.repeat_interleave(repeats, dim=0)
    bad = torch.rand(len(boxes), generator=g) < 0.05
    boxes[bad] = boxes[bad][:, [2, 1, 0, 3]]  # x2 < x1
    flat = torch.rand(len(boxes), generator=g) < 0.05
    boxes[flat, 3] = boxes[flat, 1]  # zero height
    return InstanceData(priors=anchors, bboxes=boxes), gt, ignore


@pytest.mark.parametrize('seed', [5, 6])
@pytest.mark.parametrize('kwargs', [
    dict(),
    dict(comp_trust_iou=0.0, comp_iou_thr=0.5),
    dict(comp_trust_iou=0.2, comp_iou_thr=0.0),
    dict(comp_trust_iou=0.9, std_factor=0.0, min_pos_per_gt=0),
])
@pytest.mark.parametrize('run', [None, 7])
def test_same_assignment_on_ties_and_in_short_runs(seed, kwargs, run,
                                                   monkeypatch):
    """Tied candidate IoUs (rows scanned past the candidates), degenerate
    predictions, all, some or no faces trusted; ``run`` forces the pair ops
    into runs of 7 pairs as on a CPU with several threads."""
    if run is not None:
        monkeypatch.setattr(dam_module, '_serial_len', lambda like, width: run)
    pred, gt, ignore = _tied_scene(seed)
    new = DynamicAnchorAssigner(**kwargs).assign(pred, gt, ignore)
    _assert_same(
        new, _FaceAnchorReferenceDAM(**kwargs).assign(pred, gt, ignore))


def test_serial_len_keeps_pair_ops_below_the_parallel_grain():
    pairs = torch.zeros(100000, dtype=torch.long)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        assert dam_module._serial_len(pairs, 4) * 4 < 32768
        assert dam_module._serial_len(pairs, 1) == 32767
        torch.set_num_threads(1)
        assert dam_module._serial_len(pairs, 4) == 100000
        assert dam_module._serial_len(pairs[:0], 4) == 1
    finally:
        torch.set_num_threads(threads)


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
    # tied IoUs: some face has more anchors at its threshold than
    # candidates; degenerate predictions are present
    pred, gt, _ = _tied_scene(5)
    overlaps = dam.iou_calculator(gt.bboxes, pred.priors)
    cand_ious = overlaps.topk(dam.candidate_topk, dim=1).values
    std = cand_ious.std(dim=1, unbiased=False)
    thr = cand_ious.mean(dim=1) + std
    assert ((cand_ious[:, -1] >= thr) & (thr > 0)).any()
    width = pred.bboxes[:, 2] - pred.bboxes[:, 0]
    height = pred.bboxes[:, 3] - pred.bboxes[:, 1]
    assert (width < 0).any() and (height == 0).any()
