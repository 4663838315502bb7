# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""WIDER FACE Easy/Medium/Hard AP as an mmdet metric."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from projects.faceeval import (SETTINGS, load_widerface_gt,
                               widerface_pr_curves, write_prediction_file)


def _xyxy_to_xywh(boxes: np.ndarray) -> np.ndarray:
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4).copy()
    boxes[:, 2:] -= boxes[:, :2]
    return boxes


@METRICS.register_module()
class WiderFaceMetric(BaseMetric):
    """WIDER FACE AP (`WIDER FACE: A Face Detection Benchmark
    <https://arxiv.org/abs/1511.06523>`_), official protocol.

    Scores are min-max normalised over all predictions; per image the
    predictions, by descending score, each take the face of largest IoU
    (+1-pixel convention); IoU >= 0.5 on a face outside the setting's keep
    list removes the prediction from the proposals, the first hit of a kept
    face is a true positive and every other prediction a false positive.
    Over 1000 thresholds :math:`\\tau_t = 1 - (t+1)/1000`,
    :math:`P = TP/\\#proposals`, :math:`R = TP/\\#kept`, and
    :math:`AP = \\sum_n (R_n - R_{n-1}) \\max_{R' \\ge R_n} P(R')`
    (see :mod:`projects.faceeval.widerface_protocol`).

    With ``gt_dir`` the ground truth and the Easy/Medium/Hard keep lists
    come from the official .mat files and images are matched by
    ``<event>/<image name>`` (the image's folder and file name); ground
    truth images without a prediction count as no detections and are
    reported. Without ``gt_dir`` the dataset's own annotations are used
    with one setting, ``'all'``: ``gt_instances`` are kept and
    ``ignored_instances`` ignored (our extension, for WIDER-format sets
    without .mat files).

    Args:
        gt_dir (str, optional): Folder of ``wider_face_val.mat`` and
            ``wider_{easy,medium,hard}_val.mat``. Defaults to None.
        settings (Sequence[str]): Settings to report (with ``gt_dir``).
            Defaults to ``('easy', 'medium', 'hard')``.
        iou_thr (float): IoU of a match. Defaults to 0.5.
        num_thresholds (int): Score thresholds. Defaults to 1000.
        pred_dir (str, optional): If set, also write the predictions in the
            official folder layout there (``<event>/<image>.txt``), for
            ``tools/eval_widerface.py`` or the benchmark server.
            Defaults to None.
        collect_device (str): 'cpu' or 'gpu'. Defaults to 'cpu'.
        prefix (str, optional): Metric name prefix. Defaults to
            'widerface'.
    """

    default_prefix: Optional[str] = 'widerface'

    def __init__(self,
                 gt_dir: Optional[str] = None,
                 settings: Sequence[str] = SETTINGS,
                 iou_thr: float = 0.5,
                 num_thresholds: int = 1000,
                 pred_dir: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0 < iou_thr <= 1:
            raise ValueError(f'iou_thr must be in (0, 1], got {iou_thr}')
        if num_thresholds < 1:
            raise ValueError('num_thresholds must be positive, got '
                             f'{num_thresholds}')
        self.gt_dir = gt_dir
        self.settings = tuple(settings)
        self.iou_thr = iou_thr
        self.num_thresholds = num_thresholds
        self.pred_dir = pred_dir

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each image's key, predictions (``x, y, w, h, score``) and,
        without ``gt_dir``, its annotations (``x, y, w, h``)."""
        for sample in data_samples:
            img_path = sample.get('img_path') or str(sample.get('img_id'))
            pred = sample['pred_instances']
            boxes = _xyxy_to_xywh(pred['bboxes'].cpu().numpy())
            scores = pred['scores'].cpu().numpy().reshape(-1, 1)
            result = dict(
                event=osp.basename(osp.dirname(img_path)),
                name=osp.splitext(osp.basename(img_path))[0],
                pred=np.hstack([boxes, scores.astype(np.float64)]))
            if self.gt_dir is None:
                gt = sample['gt_instances']['bboxes'].cpu().numpy()
                ignored = sample.get('ignored_instances', {}).get('bboxes')
                ignored = (np.zeros((0, 4)) if ignored is None else
                           ignored.cpu().numpy())
                result['gt'] = _xyxy_to_xywh(np.vstack([gt, ignored]))
                result['keep'] = np.arange(len(result['gt'])) < len(gt)
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """AP of each setting (fractions in [0, 1])."""
        logger = MMLogger.get_current_instance()
        if self.pred_dir is not None:
            for r in results:
                write_prediction_file(self.pred_dir, r['event'], r['name'],
                                      r['pred'])
            logger.info(f'wrote {len(results)} WIDER FACE prediction files '
                        f'to {self.pred_dir}')
        if self.gt_dir is None:
            curves = widerface_pr_curves(
                [r['pred'] for r in results], [r['gt'] for r in results],
                dict(all=[r['keep'] for r in results]), self.iou_thr,
                self.num_thresholds)
        else:
            curves = self._official_curves(results, logger)
        return {name: curve.ap for name, curve in curves.items()}

    def _official_curves(self, results: List[dict],
                         logger: MMLogger) -> dict:
        gt = load_widerface_gt(self.gt_dir, self.settings)
        by_key = {(r['event'], r['name']): r['pred'] for r in results}
        preds = [by_key.pop((e, n), None) for e, n in zip(gt.events, gt.names)]
        missing = sum(p is None for p in preds)
        if missing:
            logger.warning(f'{missing} of {len(preds)} WIDER FACE images have '
                           'no prediction: counted as no detections')
        if by_key:
            logger.warning(f'{len(by_key)} predicted images are not in '
                           f'{self.gt_dir}: not evaluated')
        return widerface_pr_curves(preds, gt.boxes, gt.keep, self.iou_thr,
                                   self.num_thresholds)
