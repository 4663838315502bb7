# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""PalmPointMetric: point error and detection rate of key-point boxes."""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from ..roi.geometry import farthest_pair

RADIUS_UNITS = ('L', 'px')


def match_points(gt: np.ndarray, pred: np.ndarray,
                 radius: float) -> List[Tuple[int, int, float]]:
    """Greedy one-to-one matching by increasing distance.

    Args:
        gt (np.ndarray): Ground-truth points (G, 2).
        pred (np.ndarray): Predicted points (K, 2).
        radius (float): Largest distance of a match.

    Returns:
        list[tuple[int, int, float]]: (gt index, pred index, distance).
    """
    gt, pred = np.reshape(gt, (-1, 2)), np.reshape(pred, (-1, 2))
    if not len(gt) or not len(pred):
        return []
    dist = np.linalg.norm(gt[:, None] - pred[None], axis=-1)
    matches, used_g, used_p = [], set(), set()
    for flat in np.argsort(dist, axis=None, kind='stable'):
        g, p = np.unravel_index(flat, dist.shape)
        if dist[g, p] > radius:
            break
        if g in used_g or p in used_p:
            continue
        used_g.add(g)
        used_p.add(p)
        matches.append((int(g), int(p), float(dist[g, p])))
    return matches


def _centres(boxes: np.ndarray) -> np.ndarray:
    boxes = np.reshape(boxes, (-1, 4))
    return np.stack([(boxes[:, 0] + boxes[:, 2]) / 2,
                     (boxes[:, 1] + boxes[:, 3]) / 2], axis=1)


@METRICS.register_module()
class PalmPointMetric(BaseMetric):
    """Key-point quality of the finger-gap / palm-centre detector of
    `Towards Palmprint Verification on Smartphones
    <https://arxiv.org/abs/2003.13266>`_, whose points are box centres
    (the inference script's rule). Per class, predictions with score >=
    ``score_thr`` are matched one-to-one to the ground-truth centres within
    ``match_radius`` (in units of L, the distance of the two farthest
    ground-truth gaps, or in pixels):

    - ``gap_recall`` / ``centre_recall``: detection rate (%) of the points;
    - ``gap_precision`` / ``centre_precision`` (%);
    - ``gap_error_px`` / ``centre_error_px``: mean distance of the matches
      in original-image pixels;
    - ``roi_rate``: % of images with at least two gaps and a centre (an
      ROI can be cut); ``pair_error_px``: mean endpoint error of the
      farthest predicted gap pair against the farthest true pair, over
      those images.

    Ground truth comes from ``gt_instances``: load annotations after the
    ``Resize`` of the test pipeline (as mmdet's VOC configs do) so they are
    in original pixels, like the rescaled predictions.

    Args:
        score_thr (float): Score threshold (script: 0.5). Defaults to 0.5.
        match_radius (float): Largest match distance. Defaults to 0.25.
        radius_unit (str): ``'L'`` or ``'px'``. Defaults to ``'L'``.
        gap_label (int): Class of finger gaps. Defaults to 0.
        centre_label (int): Class of the palm centre. Defaults to 1.
        collect_device (str): Device to collect results. Defaults to 'cpu'.
        prefix (str, optional): Prefix. Defaults to ``'palm_points'``.
    """

    default_prefix: Optional[str] = 'palm_points'

    def __init__(self,
                 score_thr: float = 0.5,
                 match_radius: float = 0.25,
                 radius_unit: str = 'L',
                 gap_label: int = 0,
                 centre_label: int = 1,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if radius_unit not in RADIUS_UNITS:
            raise ValueError(f'PalmPointMetric: radius_unit must be one of '
                             f'{RADIUS_UNITS}, got {radius_unit!r}')
        if match_radius <= 0:
            raise ValueError('PalmPointMetric: match_radius must be > 0, '
                             f'got {match_radius}')
        self.score_thr = score_thr
        self.match_radius = match_radius
        self.radius_unit = radius_unit
        self.labels = dict(gap=gap_label, centre=centre_label)

    def _points(self, inst: dict, cls: int, scores: bool) -> np.ndarray:
        labels = inst['labels'].cpu().numpy()
        keep = labels == cls
        if scores:
            keep &= inst['scores'].cpu().numpy() >= self.score_thr
        return _centres(inst['bboxes'].cpu().numpy()[keep])

    def _radius(self, gt_gaps: np.ndarray, name: str) -> float:
        if self.radius_unit == 'px':
            return self.match_radius
        if len(gt_gaps) < 2:
            raise ValueError(f'PalmPointMetric: {name} has '
                             f'{len(gt_gaps)} ground-truth finger gaps; '
                             "radius_unit='L' needs two (use 'px')")
        i, j = farthest_pair(gt_gaps)
        return self.match_radius * float(
            np.linalg.norm(gt_gaps[i] - gt_gaps[j]))

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Match the points of every image."""
        for sample in data_samples:
            if 'gt_instances' not in sample:
                raise KeyError('PalmPointMetric: no `gt_instances`; add '
                               "dict(type='LoadAnnotations', with_bbox=True)"
                               ' to the test pipeline after Resize')
            gt, pred = sample['gt_instances'], sample['pred_instances']
            name = str(sample.get('img_path', sample.get('img_id', '?')))
            result = {}
            for key, cls in self.labels.items():
                g = self._points(gt, cls, scores=False)
                p = self._points(pred, cls, scores=True)
                result[key] = (g, p)
            radius = self._radius(result['gap'][0], name)
            self.results.append(self._image_result(result, radius))

    @staticmethod
    def _image_result(points: dict, radius: float) -> dict:
        """Counts and errors of one image."""
        out = {}
        for key, (g, p) in points.items():
            m = match_points(g, p, radius)
            out[key] = (len(g), len(p), [d for _, _, d in m])
        (g_gap, p_gap), p_centre = points['gap'], points['centre'][1]
        out['roi'] = len(p_gap) >= 2 and len(p_centre) >= 1
        out['pair'] = None
        if out['roi'] and len(g_gap) >= 2:
            gp = g_gap[list(farthest_pair(g_gap))]
            pp = p_gap[list(farthest_pair(p_gap))]
            direct = np.linalg.norm(gp - pp, axis=1).mean()
            swapped = np.linalg.norm(gp - pp[::-1], axis=1).mean()
            out['pair'] = float(min(direct, swapped))
        return out

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Rates (%) and mean pixel errors over the images."""
        metrics = dict(num_images=float(len(results)))
        for name in self.labels:
            num_gt = sum(r[name][0] for r in results)
            num_pred = sum(r[name][1] for r in results)
            dists = [d for r in results for d in r[name][2]]
            metrics[f'{name}_recall'] = 100 * len(dists) / max(num_gt, 1)
            metrics[f'{name}_precision'] = 100 * len(dists) / max(num_pred,
                                                                  1)
            metrics[f'{name}_error_px'] = float(np.mean(dists)) \
                if dists else float('nan')
        rois = [r for r in results if r['roi']]
        metrics['roi_rate'] = 100 * len(rois) / max(len(results), 1)
        pair = [r['pair'] for r in rois if r['pair'] is not None]
        metrics['pair_error_px'] = float(np.mean(pair)) if pair \
            else float('nan')
        print_log(f'PalmPointMetric: {len(results) - len(rois)} of '
                  f'{len(results)} images without two gaps and a centre '
                  f'(score >= {self.score_thr})', logger='current')
        return metrics
