# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import pytest
import torch
from mmengine.structures import InstanceData

from projects.acfd import DynamicAnchorAssigner


def _grid_anchors(size=64, step=8, side=16):
    c = torch.arange(step / 2, size, step)
    cy, cx = torch.meshgrid(c, c, indexing='ij')
    ctr = torch.stack([cx.flatten(), cy.flatten()], dim=1)
    return torch.cat([ctr - side / 2, ctr + side / 2], dim=1)


def _assign(assigner, anchors, gts, labels=None, ignore=None, preds=None):
    pred = InstanceData(priors=anchors)
    if preds is not None:
        pred.bboxes = preds
    gt = InstanceData(
        bboxes=gts,
        labels=labels if labels is not None else torch.zeros(
            len(gts), dtype=torch.long))
    ign = InstanceData(bboxes=ignore) if ignore is not None else None
    return assigner.assign(pred, gt, ign)


def test_no_faces_gives_all_negatives():
    result = _assign(DynamicAnchorAssigner(), _grid_anchors(),
                     torch.zeros((0, 4)))
    assert (result.gt_inds == 0).all() and (result.labels == -1).all()


def test_no_anchors():
    result = _assign(DynamicAnchorAssigner(), torch.zeros((0, 4)),
                     torch.tensor([[0., 0., 10., 10.]]))
    assert result.gt_inds.numel() == 0 and result.num_gts == 1


def test_dynamic_threshold_by_hand():
    # Four anchors with IoUs 0.8, 0.5, 0.2, 0.0 with one face; candidates
    # are the top 3: mean 0.5, std 0.2449 -> threshold 0.7449.
    face = torch.tensor([[0., 0., 10., 10.]])
    anchors = torch.tensor([[0., 0., 10., 8.], [0., 0., 10., 5.],
                            [0., 0., 10., 2.], [20., 20., 30., 30.]])
    assigner = DynamicAnchorAssigner(
        candidate_topk=3, min_pos_per_gt=0, neg_iou_thr=0.4,
        ignore_iof_thr=-1)
    result = _assign(assigner, anchors, face)
    # 0.8 >= threshold: positive; 0.5 is ignored (>= neg_iou_thr); 0.2 and
    # 0.0 are negatives.
    assert result.gt_inds.tolist() == [1, -1, 0, 0]
    torch.testing.assert_close(result.max_overlaps,
                               torch.tensor([0.8, 0.5, 0.2, 0.0]))


def test_threshold_uses_the_population_std():
    # Candidate IoUs 0.9, 0.55, 0.1: mean 0.5167; population std 0.3274
    # -> threshold 0.8441, so 0.9 is positive; the sample (unbiased) std
    # 0.4010 would give 0.9177 and no positive at all.
    face = torch.tensor([[0., 0., 10., 10.]])
    anchors = torch.tensor([[0., 0., 10., 9.], [0., 0., 10., 5.5],
                            [0., 0., 10., 1.], [20., 20., 30., 30.]])
    ious = torch.tensor([0.9, 0.55, 0.1])
    assert float(ious.mean() + ious.std(unbiased=False)) == pytest.approx(
        0.8441, abs=1e-4)
    assert float(ious.mean() + ious.std(unbiased=True)) == pytest.approx(
        0.9177, abs=1e-4)
    assigner = DynamicAnchorAssigner(
        candidate_topk=3, min_pos_per_gt=0, neg_iou_thr=0.4,
        ignore_iof_thr=-1)
    result = _assign(assigner, anchors, face)
    assert result.gt_inds.tolist() == [1, -1, 0, 0]


def test_floor_gives_tiny_face_the_nearest_anchors():
    anchors = _grid_anchors()
    tiny = torch.tensor([[30., 30., 32., 32.]])  # overlaps its 4 neighbours
    far = torch.tensor([[62.5, 0.1, 63.5, 0.9]])  # overlaps no anchor
    assigner = DynamicAnchorAssigner(min_pos_per_gt=3, ignore_iof_thr=-1)
    result = _assign(assigner, anchors, torch.cat([tiny, far]))
    assert (result.gt_inds == 1).sum() >= 3
    far_pos = (result.gt_inds == 2).nonzero().flatten()
    assert len(far_pos) == 3
    ctr = (anchors[far_pos, :2] + anchors[far_pos, 2:]) / 2
    # The three anchor centres closest to (63, 0.5):
    # (60, 4), (52, 4), (60, 12).
    assert sorted(ctr.tolist()) == [[52., 4.], [60., 4.], [60., 12.]]


def test_crowded_faces_each_anchor_goes_to_best_face():
    anchors = _grid_anchors()
    faces = torch.tensor([[16., 16., 32., 32.], [20., 16., 36., 32.],
                          [40., 40., 56., 56.]])
    assigner = DynamicAnchorAssigner(min_pos_per_gt=2, ignore_iof_thr=-1)
    result = _assign(assigner, anchors, faces,
                     labels=torch.tensor([0, 1, 0]))
    ious = assigner.iou_calculator(anchors, faces)
    pos = result.gt_inds > 0
    for face in range(3):
        assert (result.gt_inds == face + 1).sum() >= 2
    chosen = ious[pos].gather(1, (result.gt_inds[pos] - 1)[:, None])
    # Where the best face by IoU is unique, the anchor went to it.
    assert (chosen.squeeze(1) >= ious[pos].max(1).values - 1e-6).all()
    assert result.labels[pos].tolist() == [
        [0, 1, 0][i - 1] for i in result.gt_inds[pos].tolist()
    ]


def test_ignore_boxes_are_respected():
    anchors = _grid_anchors()
    face = torch.tensor([[0., 0., 16., 16.]])
    ignore = torch.tensor([[32., 32., 64., 64.]])
    assigner = DynamicAnchorAssigner(ignore_iof_thr=0.5)
    result = _assign(assigner, anchors, face, ignore=ignore)
    ctr = (anchors[:, :2] + anchors[:, 2:]) / 2
    inside = (ctr >= 36).all(1) & (ctr <= 60).all(1)
    assert (result.gt_inds[inside] == -1).all()
    assert (result.gt_inds > 0).any()


def test_ignore_boxes_count_in_an_image_without_kept_faces():
    anchors = _grid_anchors()
    ignore = torch.tensor([[32., 32., 64., 64.]])
    result = _assign(DynamicAnchorAssigner(ignore_iof_thr=0.5),
                     anchors,
                     torch.zeros((0, 4)),
                     ignore=ignore)
    ctr = (anchors[:, :2] + anchors[:, 2:]) / 2
    inside = (ctr >= 36).all(1) & (ctr <= 60).all(1)
    assert (result.gt_inds[inside] == -1).all()
    # everything else is background
    assert (result.gt_inds[~inside] >= 0).all()
    assert (result.gt_inds == 0).sum() > 0 and (result.gt_inds > 0).sum() == 0


def test_online_compensation_adds_well_regressed_anchors():
    anchors = _grid_anchors()
    face = torch.tensor([[20., 20., 44., 44.]])
    assigner = DynamicAnchorAssigner(ignore_iof_thr=-1, comp_iou_thr=0.6,
                                     comp_trust_iou=0.5)
    plain = _assign(assigner, anchors, face)
    # Perfect regressions everywhere: every overlapping anchor qualifies.
    preds = face.repeat(len(anchors), 1)
    compensated = _assign(assigner, anchors, face, preds=preds)
    overlapping = assigner.iou_calculator(anchors, face)[:, 0] > 0
    assert (compensated.gt_inds[overlapping] == 1).all()
    assert (compensated.gt_inds == 1).sum() > (plain.gt_inds == 1).sum()
    # Untrustworthy regressions (all far away) add nothing.
    bad = torch.tensor([[0., 0., 2., 2.]]).repeat(len(anchors), 1)
    untrusted = _assign(assigner, anchors, face, preds=bad)
    assert torch.equal(untrusted.gt_inds, plain.gt_inds)


def test_bad_arguments():
    with pytest.raises(ValueError, match='candidate_topk'):
        DynamicAnchorAssigner(candidate_topk=0)
