# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""PalmVerificationMetric: EER, TAR@FAR and a held-out threshold."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.utils import mkdir_or_exist
from mmpretrain.registry import METRICS

from projects.facerec.evaluation import (equal_error_rate, roc_curve,
                                         tar_at_far)


def cosine_scores(feats: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Cosine similarity :math:`\\hat e_i \\cdot \\hat e_j` of the index
    pairs (P, 2) over embeddings (N, D); the matcher's score (the script
    accepts when it is at least T = 0.5014)."""
    norm = feats / np.maximum(
        np.linalg.norm(feats, axis=1, keepdims=True), 1e-12)
    return np.sum(norm[pairs[:, 0]] * norm[pairs[:, 1]], axis=1)


def verification_report(scores: np.ndarray,
                        issame: np.ndarray,
                        fold: Optional[np.ndarray] = None,
                        far_targets: Sequence[float] = (1e-2, 1e-3, 1e-4),
                        fixed_threshold: Optional[float] = None
                        ) -> Dict[str, float]:
    """The verification numbers of scored pairs (rates in %).

    - ``EER`` (and ``EER_threshold``) and ``TAR@FAR=f`` over all pairs;
    - with calibration pairs (``fold == 'calib'``) and evaluation pairs
      (``'eval'``): ``threshold`` = the EER threshold of the calibration
      pairs, and ``FAR``, ``FRR``, ``accuracy`` of 'accept iff score >=
      threshold' on the evaluation pairs (subjects never seen by the
      threshold);
    - with ``fixed_threshold``: ``FAR@fixed``, ``FRR@fixed`` over all.

    Args:
        scores (np.ndarray): Pair scores (P,), higher = more alike.
        issame (np.ndarray): Bool labels (P,).
        fold (np.ndarray, optional): ``'calib'``/``'eval'`` per pair.
            Defaults to None (no held-out threshold).
        far_targets (Sequence[float]): FARs of the TARs.
            Defaults to (1e-2, 1e-3, 1e-4).
        fixed_threshold (float, optional): A given threshold.
            Defaults to None.

    Returns:
        dict[str, float]: The numbers.
    """
    scores, issame = np.asarray(scores, float), np.asarray(issame, bool)
    eer, thr = equal_error_rate(scores, issame)
    out = dict(EER=eer * 100, EER_threshold=thr,
               num_pairs=float(len(scores)),
               num_genuine=float(issame.sum()))
    for far, tar in tar_at_far(scores, issame, far_targets).items():
        out[f'TAR@FAR={far:.0e}'] = tar * 100
    if fold is not None:
        fold = np.asarray(fold)
        calib, test = fold == 'calib', fold == 'eval'
        if _has_both(issame[calib]) and test.any():
            _, held = equal_error_rate(scores[calib], issame[calib])
            out.update(threshold=held,
                       **_rates(scores[test], issame[test], held, ''))
        else:
            print_log('PalmVerificationMetric: no held-out threshold (the '
                      'calibration fold needs genuine and impostor pairs '
                      'and the evaluation fold some pairs)',
                      logger='current', level=30)
    if fixed_threshold is not None:
        out.update(_rates(scores, issame, fixed_threshold, '@fixed'))
    return out


def _has_both(issame: np.ndarray) -> bool:
    return bool(issame.any() and (~issame).any())


def _rates(scores: np.ndarray, issame: np.ndarray, thr: float,
           suffix: str) -> Dict[str, float]:
    """FAR, FRR and accuracy (%) of 'accept iff score >= thr'."""
    accept = scores >= thr
    far = float(np.mean(accept[~issame])) if (~issame).any() else np.nan
    frr = float(np.mean(~accept[issame])) if issame.any() else np.nan
    return {
        f'FAR{suffix}': far * 100,
        f'FRR{suffix}': frr * 100,
        f'accuracy{suffix}': float(np.mean(accept == issame)) * 100
    }


def save_verification_plots(scores: np.ndarray, issame: np.ndarray,
                            roc_file: Optional[str] = None,
                            score_file: Optional[str] = None,
                            threshold: Optional[float] = None,
                            title: str = '') -> None:
    """ROC (TAR vs log FAR) and genuine/impostor score histograms as PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    for path, draw in ((roc_file, _draw_roc), (score_file, _draw_scores)):
        if not path:
            continue
        fig, ax = plt.subplots(figsize=(5, 4))
        draw(ax, scores, issame, threshold)
        ax.set_title(f'{title} ({len(scores)} pairs)')
        fig.tight_layout()
        mkdir_or_exist(osp.dirname(osp.abspath(path)))
        fig.savefig(path)
        plt.close(fig)
        print_log(f'PalmVerificationMetric: saved {osp.abspath(path)}',
                  logger='current')


def _draw_roc(ax, scores, issame, threshold) -> None:
    far, tar = roc_curve(scores, issame)
    keep = far > 0
    ax.plot(far[keep], tar[keep])
    ax.set_xscale('log')
    ax.set_xlabel('False accept rate')
    ax.set_ylabel('True accept rate')
    ax.grid(True, which='both', alpha=0.3)


def _draw_scores(ax, scores, issame, threshold) -> None:
    bins = np.linspace(min(scores.min(), -1e-3), scores.max() + 1e-3, 50)
    ax.hist(scores[issame], bins, alpha=0.6, density=True, label='genuine')
    ax.hist(scores[~issame], bins, alpha=0.6, density=True, label='impostor')
    if threshold is not None:
        ax.axvline(threshold, color='k', ls='--', label='threshold')
    ax.set_xlabel('cosine score')
    ax.legend()


@METRICS.register_module()
class PalmVerificationMetric(BaseMetric):
    """Palmprint verification of `Towards Palmprint Verification on
    Smartphones <https://arxiv.org/abs/2003.13266>`_: cosine scores
    :math:`s_{ij} = \\hat e_i \\cdot \\hat e_j` of the dataset's pairs
    (``MPDVerificationDataset`` metainfo ``pairs``, ``issame``,
    ``pair_fold``; embeddings ``pred_feat`` of ``FaceRecognizer``), reported
    by :func:`verification_report`: EER, TAR at FAR 1e-2/1e-3/1e-4, and the
    FAR/FRR on held-out subjects of the threshold chosen (EER point) on the
    calibration subjects; optionally the ROC and score-distribution PNGs.

    Args:
        far_targets (Sequence[float]): FARs of the TARs.
            Defaults to (1e-2, 1e-3, 1e-4).
        fixed_threshold (float, optional): Also report FAR/FRR at this
            score (the inference script's T = 0.5014). Defaults to None.
        roc_file (str, optional): ROC PNG. Defaults to None.
        score_file (str, optional): Score histogram PNG. Defaults to None.
        collect_device (str): Device to collect results. Defaults to 'cpu'.
        prefix (str, optional): Prefix. Defaults to ``'palm'``.
    """

    default_prefix: Optional[str] = 'palm'

    def __init__(self,
                 far_targets: Sequence[float] = (1e-2, 1e-3, 1e-4),
                 fixed_threshold: Optional[float] = None,
                 roc_file: Optional[str] = None,
                 score_file: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.far_targets = tuple(far_targets)
        self.fixed_threshold = fixed_threshold
        self.roc_file = roc_file
        self.score_file = score_file

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep (sample index, embedding) of every sample."""
        for sample in data_samples:
            if 'pred_feat' not in sample:
                raise KeyError('PalmVerificationMetric: the prediction has '
                               "no `pred_feat`; use model type "
                               "'FaceRecognizer'")
            self.results.append((int(sample['sample_idx']),
                                 sample['pred_feat'].float().cpu().numpy()))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        """Scores of the pairs and their report."""
        meta = self.dataset_meta or {}
        for key in ('pairs', 'issame'):
            if key not in meta:
                raise KeyError(f'PalmVerificationMetric: the dataset '
                               f'metainfo has no `{key}`; use '
                               'MPDVerificationDataset')
        by_idx = dict(results)
        pairs = np.asarray(meta['pairs'], dtype=np.int64).reshape(-1, 2)
        missing = sorted(set(pairs.ravel().tolist()) - set(by_idx))
        if missing:
            raise ValueError(f'PalmVerificationMetric: no embedding for '
                             f'{len(missing)} paired images (e.g. sample '
                             f'{missing[0]}); do not subsample the set')
        feats = np.zeros((max(by_idx) + 1, len(next(iter(by_idx.values())))))
        for i, f in by_idx.items():
            feats[i] = f
        scores = cosine_scores(feats, pairs)
        issame = np.asarray(meta['issame'], dtype=bool)
        report = verification_report(scores, issame, meta.get('pair_fold'),
                                     self.far_targets, self.fixed_threshold)
        save_verification_plots(scores, issame, self.roc_file,
                                self.score_file, report.get('threshold'),
                                str(meta.get('protocol', '')))
        return report
