# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""AP at IoU 0.5, as the iCartoonFace detection challenge scores it."""
from typing import List, Optional, Sequence

import numpy as np
from mmdet.evaluation import VOCMetric
from mmdet.evaluation.functional import average_precision
from mmdet.registry import METRICS

from projects.faceeval import first_hits, match_best_faces


def voc_face_ap(preds: Sequence[np.ndarray],
                faces: Sequence[np.ndarray],
                ignored: Sequence[np.ndarray],
                iou_thr: float = 0.5,
                offset: float = 0.0) -> float:
    """VOC all-point AP of one class over all images, vectorised.

    Args:
        preds (Sequence[np.ndarray]): Per image (n, 5)
            ``x1, y1, x2, y2, score``.
        faces (Sequence[np.ndarray]): Per image (k, 4) faces.
        ignored (Sequence[np.ndarray]): Per image (m, 4) ignore boxes.
        iou_thr (float): IoU of a hit. Defaults to 0.5.
        offset (float): 1 for ``x2 - x1 + 1`` box sizes. Defaults to 0.

    Returns:
        float: The AP (0 when there is no face).
    """
    all_faces = [np.vstack([np.reshape(f, (-1, 4)),
                            np.reshape(i, (-1, 4))])
                 for f, i in zip(faces, ignored)]
    kept = np.concatenate([np.arange(len(a)) < len(f)
                           for a, f in zip(all_faces, faces)] +
                          [np.zeros(0, bool)])
    matches = match_best_faces(preds, all_faces, iou_thr, offset,
                               skip_faceless=False)
    proposal, true_positive = first_hits(matches, kept)
    order = np.argsort(-matches.scores[proposal], kind='stable')
    tp = np.cumsum(true_positive[proposal][order])
    fp = np.arange(1, len(tp) + 1) - tp
    num_faces = int(kept.sum())
    if not num_faces or not len(tp):
        return 0.0
    precision = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    return float(average_precision(tp / num_faces, precision, 'area'))


@METRICS.register_module()
class ICartoonFaceMetric(VOCMetric):
    """iCartoonFace detection AP (`iCartoonFace
    <https://arxiv.org/abs/1907.13394>`_ challenge protocol).

    Detections of all images are ranked by score; a detection is a true
    positive when its IoU with a not-yet-matched face is at least 0.5,
    duplicates are false positives, detections matched to ignore boxes are
    dropped, and the AP is the area under the interpolated precision/recall
    curve (VOC all-point):

    .. math::
        AP = \\sum_n (r_{n} - r_{n-1}) \\max_{r' \\ge r_n} p(r')

    Vectorised (:func:`voc_face_ap`, matching of :mod:`projects.faceeval.face_matching`); it
    gives mmdet's :func:`eval_map` result (checked in the tests) and reports
    ``icartoonface/AP50``. Samples are collected by
    :class:`mmdet.evaluation.VOCMetric`.

    Args:
        iou_thr (float): IoU for a true positive. Defaults to 0.5.
        use_legacy_coordinate (bool): Whether box sizes are ``x2 - x1 + 1``
            (VOC devkit) instead of ``x2 - x1``. Defaults to False.
        collect_device (str): 'cpu' or 'gpu'. Defaults to 'cpu'.
        prefix (str, optional): Metric name prefix. Defaults to
            'icartoonface'.
    """

    default_prefix: Optional[str] = 'icartoonface'

    def __init__(self,
                 iou_thr: float = 0.5,
                 use_legacy_coordinate: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(
            iou_thrs=iou_thr,
            eval_mode='area',
            collect_device=collect_device,
            prefix=prefix)
        self.iou_thr = iou_thr
        self.use_legacy_coordinate = use_legacy_coordinate

    def compute_metrics(self, results: List[tuple]) -> dict:
        """Compute ``AP50`` (named after ``iou_thr``) over all images."""
        if len(self.dataset_meta['classes']) != 1:
            raise ValueError('ICartoonFaceMetric scores one class, got '
                             f'classes={self.dataset_meta["classes"]}')
        if not results:
            return {f'AP{int(round(self.iou_thr * 100))}': 0.0}
        gts, preds = zip(*results)
        ap = voc_face_ap([p[0] for p in preds], [g['bboxes'] for g in gts],
                         [g['bboxes_ignore'] for g in gts], self.iou_thr,
                         float(self.use_legacy_coordinate))
        return {f'AP{int(round(self.iou_thr * 100))}': ap}
