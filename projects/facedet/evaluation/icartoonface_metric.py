# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""AP at IoU 0.5, as the iCartoonFace detection challenge scores it."""
from typing import List, Optional

from mmdet.evaluation import VOCMetric
from mmdet.evaluation.functional import eval_map
from mmdet.registry import METRICS
from mmengine.logging import MMLogger


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

    Matching and AP come from mmdet's :func:`eval_map`; this class fixes the
    protocol (IoU 0.5, all-point, continuous pixel coordinates) and reports
    it as ``icartoonface/AP50``.

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
        logger = MMLogger.get_current_instance()
        gts, preds = zip(*results)
        mean_ap, _ = eval_map(
            preds,
            gts,
            iou_thr=self.iou_thr,
            dataset=self.dataset_meta['classes'],
            logger=logger,
            eval_mode='area',
            use_legacy_coordinate=self.use_legacy_coordinate)
        return {f'AP{int(round(self.iou_thr * 100))}': float(mean_ap)}
