# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DAM: ACFD's dynamic anchor match."""
from typing import Optional, Tuple

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

    Works on (face, anchor) pairs rather than dense matrices past the IoU
    matrix (MaxIoUAssigner's (face, anchor) layout): positives are taken
    from each face's candidates (rows of the IoU matrix are scanned only
    for faces whose threshold an outside anchor could reach), centre
    distances are computed only for faces with fewer than
    ``candidate_topk`` overlapping anchors and for positive pairs that do
    not overlap, predicted-box IoUs only for positive pairs and for the
    overlapping pairs of trusted faces whose areas allow the threshold. On
    a CPU with several threads the pair ops run in runs short enough to stay
    on the calling thread, and gathers use ``index_select`` (advanced
    indexing and ``max(dim)`` open a parallel region on any size).

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
            self._mark_ignored(gt_inds, anchors, gt_instances_ignore)
            return AssignResult(num_gts, gt_inds,
                                anchors.new_zeros((num_anchors, )), labels)

        # (faces, anchors), rows contiguous as in MaxIoUAssigner
        overlaps = self.iou_calculator(gt_bboxes, anchors)
        cand_idx = self._candidates(anchors, gt_bboxes, overlaps)
        pos_gt, pos_anchor = self._dynamic_positives(overlaps, cand_idx)
        pred_bboxes = pred_instances.get('bboxes', None)
        if self.compensate and pred_bboxes is not None:
            pos_gt, pos_anchor = self._compensate(pred_bboxes, gt_bboxes,
                                                  overlaps, pos_gt,
                                                  pos_anchor)
        max_overlaps = overlaps.amax(dim=0)
        gt_inds.masked_fill_(max_overlaps >= self.neg_iou_thr, -1)
        self._mark_ignored(gt_inds, anchors, gt_instances_ignore)

        pos_anchors, best_gt, best_iou = self._best_faces(
            anchors, gt_bboxes, overlaps, pos_gt, pos_anchor)
        gt_inds.index_copy_(0, pos_anchors, best_gt + 1)
        labels.index_copy_(0, pos_anchors, gt_labels.index_select(0, best_gt))
        max_overlaps.index_copy_(0, pos_anchors, best_iou)
        return AssignResult(num_gts, gt_inds, max_overlaps, labels)

    def _mark_ignored(self, gt_inds: Tensor, anchors: Tensor,
                      gt_instances_ignore: Optional[InstanceData]) -> None:
        """Set ``gt_inds`` to -1 where the anchor's IoF with an ignore box
        exceeds ``ignore_iof_thr``."""
        if (gt_instances_ignore is None or self.ignore_iof_thr <= 0
                or len(gt_instances_ignore) == 0 or anchors.size(0) == 0):
            return
        iof = self.iou_calculator(anchors,
                                  gt_instances_ignore.bboxes,
                                  mode='iof')
        gt_inds.masked_fill_(iof.amax(dim=1) > self.ignore_iof_thr, -1)

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
            rows = overlaps.index_select(0, short)
            score = torch.where(
                rows > 0, rows,
                self._proximity(anchors, gt_bboxes.index_select(0, short)).T)
            cand_idx[short] = score.topk(k, dim=1).indices
        return cand_idx

    def _dynamic_positives(self, overlaps: Tensor,
                           cand_idx: Tensor) -> Tuple[Tensor, Tensor]:
        """Positive (face, anchor) pairs, ordered by face then anchor: IoU
        at least the face's dynamic threshold (and above 0), and the floor of
        best candidates.

        Anchors outside a face's candidates have at most the IoU of its last
        candidate, so they are tested (one row of ``overlaps``) only for
        faces where that IoU reaches the threshold (ties, or a negative
        ``std_factor``); the other faces' positives are among their
        candidates.
        """
        cand_ious = overlaps.gather(1, cand_idx)
        std = cand_ious.std(dim=1, unbiased=False)
        thr = cand_ious.mean(dim=1) + self.std_factor * std
        # IoU >= thr and IoU > 0 in one test: no IoU lies strictly between
        # 0 and the smallest positive float.
        smallest = torch.nextafter(thr.new_zeros(()), thr.new_ones(()))
        thr = thr.clamp(min=smallest)
        floor = min(self.min_pos_per_gt, cand_idx.size(1))
        is_pos = cand_ious >= thr[:, None]
        is_pos[:, :floor] = True
        spill = cand_ious.amin(dim=1) >= thr
        is_pos &= ~spill[:, None]
        num_anchors = overlaps.size(1)
        face = torch.arange(len(thr), device=thr.device)
        keys = [(face[:, None] * num_anchors + cand_idx).masked_select(is_pos)]
        rows = spill.nonzero().squeeze(1)
        if len(rows):
            row_pos = overlaps.index_select(0, rows) >= thr[rows, None]
            row_pos.scatter_(1, cand_idx[rows, :floor], True)
            row, anchor = row_pos.nonzero(as_tuple=True)
            keys.append(rows.index_select(0, row) * num_anchors + anchor)
        keys = torch.cat(keys).sort().values
        return keys // num_anchors, keys % num_anchors

    def _compensate(self, pred_bboxes: Tensor, gt_bboxes: Tensor,
                    overlaps: Tensor, pos_gt: Tensor,
                    pos_anchor: Tensor) -> Tuple[Tensor, Tensor]:
        """The positive pairs with the compensated pairs of trustworthy faces
        appended (a pair may then appear twice). Predicted-box IoUs are
        computed for the positive pairs (trust), then for the overlapping
        pairs of trusted faces that :meth:`_compensated` keeps."""
        pred_bboxes = pred_bboxes.detach()
        pred_ious = self._pair_ious(pred_bboxes, gt_bboxes, pos_gt,
                                    pos_anchor)
        num_pos = torch.bincount(pos_gt, minlength=len(gt_bboxes)).clamp(
            min=1)
        pos_iou_sum = pred_ious.new_zeros(len(gt_bboxes)).index_add_(
            0, pos_gt, pred_ious)
        trusted = pos_iou_sum / num_pos >= self.comp_trust_iou
        if not trusted.any():
            return pos_gt, pos_anchor
        gt_idx, anchor_idx = self._compensated(pred_bboxes, gt_bboxes,
                                               overlaps, trusted)
        return (torch.cat([pos_gt, gt_idx]),
                torch.cat([pos_anchor, anchor_idx]))

    def _compensated(self, pred_bboxes: Tensor, gt_bboxes: Tensor,
                     overlaps: Tensor,
                     trusted: Tensor) -> Tuple[Tensor, Tensor]:
        """Overlapping pairs of trusted faces whose predicted box reaches
        ``comp_iou_thr`` IoU with the face.

        The IoU is computed only where the predicted box and face areas are
        close enough for it to reach the threshold (an IoU is at most the
        ratio of the smaller to the larger area), in runs of
        :func:`_serial_len` pairs.
        """
        # IoUs are >= 0: the nonzero ones are the overlapping pairs
        gt_idx, anchor_idx = overlaps.nonzero(as_tuple=True)
        all_trusted = bool(trusted.all())
        use_area = self.comp_iou_thr > 0
        if use_area:
            pred_area, gt_area = _area(pred_bboxes), _area(gt_bboxes)
        step = _serial_len(gt_idx, 1)
        added_gt, added_anchor = [], []
        for gt_run, anchor_run in zip(gt_idx.split(step),
                                      anchor_idx.split(step)):
            keep = None if all_trusted else trusted.index_select(0, gt_run)
            if use_area:
                close = self._areas_close(
                    pred_area.index_select(0, anchor_run),
                    gt_area.index_select(0, gt_run))
                keep = close if keep is None else keep & close
            if keep is not None:
                gt_run = gt_run.masked_select(keep)
                anchor_run = anchor_run.masked_select(keep)
            added = self._pair_ious(pred_bboxes, gt_bboxes, gt_run,
                                    anchor_run) >= self.comp_iou_thr
            added_gt.append(gt_run.masked_select(added))
            added_anchor.append(anchor_run.masked_select(added))
        return torch.cat(added_gt), torch.cat(added_anchor)

    def _areas_close(self, area1: Tensor, area2: Tensor) -> Tensor:
        """Pairs whose IoU may reach ``comp_iou_thr``: smaller area at least
        ``comp_iou_thr`` times the larger, with a 0.1% margin over float
        rounding. A box of zero or negative area overlaps nothing (IoU 0)."""
        return torch.minimum(area1, area2) >= (
            self.comp_iou_thr * (1 - 1e-3)) * torch.maximum(area1, area2)

    def _pair_ious(self, pred_bboxes: Tensor, gt_bboxes: Tensor,
                   gt_idx: Tensor, anchor_idx: Tensor) -> Tensor:
        """IoUs of the pairs' predicted boxes and faces, computed in runs of
        :func:`_serial_len` pairs."""
        step = _serial_len(gt_idx, 4)
        return torch.cat([
            self.iou_calculator(
                pred_bboxes.index_select(0, anchors),
                gt_bboxes.index_select(0, gts),
                is_aligned=True)
            for gts, anchors in zip(gt_idx.split(step),
                                    anchor_idx.split(step))
        ])

    def _best_faces(self, anchors: Tensor, gt_bboxes: Tensor,
                    overlaps: Tensor, pos_gt: Tensor,
                    pos_anchor: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """For the anchors positive for some face (sorted), the face of
        highest rank among those it is positive for (IoU, then proximity;
        on equal rank the first face), and their IoU.

        Computed on the positive pairs: the centre distances only for the
        pairs that do not overlap (floor positives of tiny faces).
        """
        pos_anchors, column = torch.unique(pos_anchor, return_inverse=True)
        flat_ious = overlaps.reshape(-1)
        score = flat_ious.index_select(
            0, pos_gt * overlaps.size(1) + pos_anchor)
        apart = (score <= 0).nonzero().squeeze(1)
        if len(apart):
            proximity = self._proximity(
                anchors.index_select(0, pos_anchor.index_select(0, apart)),
                gt_bboxes)
            score.index_copy_(
                0, apart,
                proximity.gather(1, pos_gt.index_select(0, apart)[:, None])
                .squeeze(1))
        best = score.new_full((len(pos_anchors), ), -float('inf'))
        best.scatter_reduce_(0, column, score, 'amax')
        is_best = score == best.index_select(0, column)
        best_gt = pos_gt.new_full((len(pos_anchors), ), len(gt_bboxes))
        best_gt.scatter_reduce_(0, column.masked_select(is_best),
                                pos_gt.masked_select(is_best), 'amin')
        best_iou = flat_ious.index_select(
            0, best_gt * overlaps.size(1) + pos_anchors)
        return pos_anchors, best_gt, best_iou


# ATen runs an element-wise op on one thread below this many elements
# (``at::internal::GRAIN_SIZE``)
_ATEN_GRAIN = 32768


def _serial_len(like: Tensor, width: int) -> int:
    """Length of the runs in which to split ``like`` so that ops on
    ``(run, width)`` tensors stay below ATen's parallel grain.

    On a CPU with several threads each op on more elements opens a parallel
    region: on the assigner's pair tensors that hand-off costs more than it
    saves, and while another process holds a core it waits for a time
    slice. The whole length elsewhere (GPU, one thread).
    """
    if like.device.type != 'cpu' or torch.get_num_threads() == 1:
        return max(len(like), 1)
    return (_ATEN_GRAIN - 1) // width


def _area(bboxes: Tensor) -> Tensor:
    """Areas of ``(N, 4)`` boxes (ops on ``N`` elements)."""
    return (bboxes[:, 2] - bboxes[:, 0]) * (bboxes[:, 3] - bboxes[:, 1])
