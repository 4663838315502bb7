# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""FDDB discrete/continuous TPR at 1,000 false positives, as a metric."""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from ..datasets.fddb import read_fddb_ellipses
from .fddb_roc import FDDBRoc, fddb_roc


def plot_fddb_roc(roc: FDDBRoc, path: str) -> None:
    """Draw the discrete and continuous ROC curves into a PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(roc.false_positives, roc.tpr_discrete, label='discrete')
    ax.plot(roc.false_positives, roc.tpr_continuous, label='continuous')
    ax.set(xlabel='false positives', ylabel='true positive rate',
           ylim=(0, 1.01), title='FDDB ROC')
    ax.legend(loc='lower right')
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


@METRICS.register_module()
class FDDBMetric(BaseMetric):
    """FDDB ROC (`FDDB: A Benchmark for Face Detection in Unconstrained
    Settings <http://vis-www.cs.umass.edu/fddb/>`_).

    Detections are matched to the annotated ellipses by a maximum-weight
    bipartite matching of the pixel overlaps
    :math:`r = |D \\cap E| / |D \\cup E| \\ge 0.5`; at each score threshold
    :math:`TPR_{disc} = \\#matches / \\#faces`,
    :math:`TPR_{cont} = \\sum r / \\#faces`, and the metric reports both at
    ``max_fp`` false positives (see :mod:`.fddb_roc`). Images are matched by
    ``img_id`` (``2002/08/11/big/img_591``); an annotated image without
    prediction counts as no detections and is reported in the log.

    Args:
        ann_files (str | Sequence[str]): Ellipse lists
            (``FDDB-fold-XX-ellipseList.txt``) of the evaluated folds.
        max_fp (int): False positives at which the TPR is read.
            Defaults to 1000.
        iou_thr (float): Overlap needed for a match. Defaults to 0.5.
        roc_file (str, optional): Write the ROC curves to this PNG.
            Defaults to None.
        collect_device (str): 'cpu' or 'gpu'. Defaults to 'cpu'.
        prefix (str, optional): Metric name prefix. Defaults to 'fddb'.
    """

    default_prefix: Optional[str] = 'fddb'

    def __init__(self,
                 ann_files: Union[str, Sequence[str]],
                 max_fp: int = 1000,
                 iou_thr: float = 0.5,
                 roc_file: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ann_files = [ann_files] if isinstance(ann_files,
                                                   str) else list(ann_files)
        self.max_fp = max_fp
        self.iou_thr = iou_thr
        self.roc_file = roc_file

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each image's id and ``x, y, w, h, score`` detections."""
        for sample in data_samples:
            pred = sample['pred_instances']
            boxes = pred['bboxes'].cpu().numpy().astype(np.float64)
            boxes[:, 2:] -= boxes[:, :2]
            scores = pred['scores'].cpu().numpy().astype(np.float64)
            self.results.append(
                dict(name=str(sample['img_id']),
                     pred=np.hstack([boxes, scores[:, None]]),
                     hw=tuple(sample['ori_shape'][:2])))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Discrete and continuous TPR at ``max_fp`` false positives."""
        ellipses = {}
        for path in self.ann_files:
            ellipses.update(read_fddb_ellipses(path))
        by_name = {r['name']: r for r in results}
        preds = [by_name[n]['pred'] if n in by_name else None
                 for n in ellipses]
        sizes = [by_name[n]['hw'] if n in by_name else None
                 for n in ellipses]
        missing = sum(p is None for p in preds)
        if missing:
            MMLogger.get_current_instance().warning(
                f'{missing} of {len(preds)} FDDB images have no prediction: '
                'counted as no detections')
        roc = fddb_roc(preds, list(ellipses.values()), self.iou_thr, sizes)
        if self.roc_file:
            plot_fddb_roc(roc, self.roc_file)
        tpr = roc.tpr_at(self.max_fp)
        return {
            f'TPR_discrete@{self.max_fp}FP': tpr['discrete'],
            f'TPR_continuous@{self.max_fp}FP': tpr['continuous']
        }
