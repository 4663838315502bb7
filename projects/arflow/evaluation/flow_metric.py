# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""End-point error and KITTI outlier rate (Fl-all), with submission output."""
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmseg.registry import METRICS

from ..datasets.flow_io import write_flow, write_flow_kitti

_COUNTS = ('epe_all', 'n_all', 'epe_noc', 'n_noc', 'epe_occ', 'n_occ',
           'n_out')


def _array(field) -> np.ndarray:
    data = field['data'] if isinstance(field, dict) else field.data
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    return np.asarray(data, np.float64)


def flow_error_counts(pred: np.ndarray,
                      gt: np.ndarray,
                      valid: np.ndarray,
                      noc: Optional[np.ndarray] = None,
                      abs_thresh: float = 3.0,
                      rel_thresh: float = 0.05) -> Dict[str, float]:
    """Sums and counts of one image.

    Args:
        pred (np.ndarray): (2, H, W) predicted flow.
        gt (np.ndarray): (2, H, W) ground truth.
        valid (np.ndarray): (H, W) ground-truth validity.
        noc (np.ndarray, optional): (H, W) non-occluded mask.
        abs_thresh (float): Outlier EPE threshold (px). Defaults to 3.
        rel_thresh (float): Outlier relative threshold. Defaults to 0.05.

    Returns:
        dict: ``epe_all, n_all, epe_noc, n_noc, epe_occ, n_occ, n_out``
        (``n_noc = -1`` without ``noc``).
    """
    epe = np.sqrt(((pred - gt)**2).sum(0))
    mag = np.sqrt((gt**2).sum(0))
    valid = valid > 0
    out = (epe > abs_thresh) & (epe > rel_thresh * mag) & valid
    counts = dict(
        epe_all=float(epe[valid].sum()),
        n_all=float(valid.sum()),
        n_out=float(out.sum()),
        epe_noc=0.0,
        n_noc=-1.0,
        epe_occ=0.0,
        n_occ=0.0)
    if noc is not None:
        noc = (noc > 0) & valid
        occ = valid & ~noc
        counts.update(
            epe_noc=float(epe[noc].sum()),
            n_noc=float(noc.sum()),
            epe_occ=float(epe[occ].sum()),
            n_occ=float(occ.sum()))
    return counts


@METRICS.register_module()
class FlowMetric(BaseMetric):
    """EPE (all / noc / occ) and Fl-all of predicted optical flow.

    ``EPE = mean |F_pred - F_gt|_2`` over valid pixels; ``EPE_noc`` over
    non-occluded, ``EPE_occ`` over occluded valid pixels; ``Fl_all`` the
    percentage of valid pixels with ``EPE > 3`` px **and** ``EPE > 5 %`` of
    ``|F_gt|`` (KITTI 2015). ``reduction='pooled'`` sums errors and counts
    over the whole set (the KITTI devkit); ``'per_image'`` averages each
    image's value (ARFlow's ``evaluate_flow``, which also floors the
    occluded-pixel count at 1), as used in the
    `ARFlow <https://arxiv.org/abs/2003.13045>`_ training logs.

    With ``output_dir``, every prediction is also written to
    ``output_dir/<submission_path>`` (``.flo`` for Sintel, KITTI 16-bit PNG
    for KITTI, from the dataset's sample info); with ``format_only`` only
    files are written (test sets without ground truth).

    With ``with_zero_flow`` the metric also reports ``EPE_zero``, the EPE of
    a zero prediction (the mean true flow magnitude, reduced the same way),
    and ``EPE_ratio = EPE / EPE_zero``: the yardstick of the demo configs.

    Args:
        reduction (str): 'pooled' or 'per_image'. Defaults to 'pooled'.
        format_only (bool): Write files only. Defaults to False.
        output_dir (str, optional): Folder for submission files. Defaults to
            None.
        with_zero_flow (bool): Also report ``EPE_zero`` and ``EPE_ratio``.
            Defaults to False.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to None.
    """

    def __init__(self,
                 reduction: str = 'pooled',
                 format_only: bool = False,
                 output_dir: Optional[str] = None,
                 with_zero_flow: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if reduction not in ('pooled', 'per_image'):
            raise ValueError(f'FlowMetric: reduction must be pooled or '
                             f'per_image, got {reduction}')
        if format_only and not output_dir:
            raise ValueError('FlowMetric: format_only needs output_dir')
        self.reduction = reduction
        self.format_only = format_only
        self.output_dir = output_dir
        self.with_zero_flow = with_zero_flow

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Accumulate each sample's counts; write submission files."""
        for sample in data_samples:
            pred = _array(sample['pred_flow_fw'])
            if self.output_dir:
                self._write(sample, pred)
            if self.format_only:
                continue
            if 'gt_flow_fw' not in sample:
                raise KeyError('FlowMetric: sample '
                               f'{sample.get("img_paths")} has no gt_flow_fw '
                               '(use format_only=True for test sets)')
            gt = _array(sample['gt_flow_fw'])
            if gt.shape != pred.shape:
                raise ValueError(f'FlowMetric: prediction {pred.shape} and '
                                 f'ground truth {gt.shape} differ for '
                                 f'{sample.get("img_paths")}')
            valid = _array(sample['gt_valid_fw'])[0] \
                if 'gt_valid_fw' in sample else np.ones(gt.shape[1:])
            noc = _array(sample['gt_noc_fw'])[0] \
                if 'gt_noc_fw' in sample else None
            counts = flow_error_counts(pred, gt, valid, noc)
            if self.with_zero_flow:
                counts['epe_zero'] = flow_error_counts(
                    np.zeros_like(gt), gt, valid)['epe_all']
            self.results.append(counts)

    def _write(self, sample: dict, pred: np.ndarray) -> None:
        rel = sample.get('submission_path')
        if not rel:
            raise KeyError('FlowMetric: output_dir needs submission_path in '
                           f'the sample info ({sample.get("img_paths")})')
        path = osp.join(self.output_dir, rel)
        flow = pred.transpose(1, 2, 0)
        if path.endswith('.png'):
            write_flow_kitti(flow, path)
        else:
            write_flow(flow, path)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Reduce the per-image counts."""
        if self.format_only:
            print_log(f'FlowMetric: predictions written to {self.output_dir}',
                      logger='current')
            return OrderedDict()
        if not results:
            raise ValueError('FlowMetric: no samples were evaluated')
        with_noc = all(r['n_noc'] >= 0 for r in results)
        keys = _COUNTS + ('epe_zero', ) if self.with_zero_flow else _COUNTS
        if self.reduction == 'pooled':
            total = {k: sum(r[k] for r in results) for k in keys}
            metrics = self._ratios(total, with_noc, occ_floor=False)
        else:
            per_image = [self._ratios(r, with_noc, occ_floor=True)
                         for r in results]
            metrics = {
                k: float(np.mean([m[k] for m in per_image]))
                for k in per_image[0]
            }
        if self.with_zero_flow:
            metrics['EPE_ratio'] = metrics['EPE'] / max(
                metrics['EPE_zero'], 1e-12)
        return OrderedDict(metrics)

    @staticmethod
    def _ratios(c: dict, with_noc: bool, occ_floor: bool) -> Dict[str, float]:
        out = dict(
            EPE=c['epe_all'] / max(c['n_all'], 1e-12),
            Fl_all=100.0 * c['n_out'] / max(c['n_all'], 1e-12))
        if with_noc:
            out['EPE_noc'] = c['epe_noc'] / max(c['n_noc'], 1e-12)
            occ_n = max(c['n_occ'], 1.0) if occ_floor else c['n_occ']
            out['EPE_occ'] = c['epe_occ'] / occ_n if occ_n > 0 else 0.0
        if 'epe_zero' in c:
            out['EPE_zero'] = c['epe_zero'] / max(c['n_all'], 1e-12)
        return out
