# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""FaceVerificationMetric: LFW-style pair verification in the val loop."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.utils import mkdir_or_exist
from mmpretrain.registry import METRICS

from .verification import (equal_error_rate, kfold_accuracy, pair_distances,
                           roc_curve, tar_at_far)


@METRICS.register_module()
class FaceVerificationMetric(BaseMetric):
    """Face verification on image pairs, the protocol of `Labeled Faces in
    the Wild <http://vis-www.cs.umass.edu/lfw/>`_ used by `CurricularFace
    <https://arxiv.org/abs/2004.00288>`_ for LFW, CFP-FP, AgeDB-30, ...

    The dataset (``FaceBinPairDataset`` / ``LFWPairsDataset``) orders images
    so that samples :math:`2k, 2k+1` form pair :math:`k` and puts the
    ``issame`` list in its metainfo; the model (``FaceRecognizer``) writes
    ``pred_feat`` (and ``pred_feat_flip``). With :math:`d_k =
    \\|\\hat e_{2k} - \\hat e_{2k+1}\\|^2` of L2-normalised embeddings,

    - ``accuracy``/``accuracy_std``: mean/std over ``num_folds`` folds of
      the held-out accuracy of 'same iff :math:`d < \\tau`', :math:`\\tau`
      chosen on the other folds from ``thresholds``;
    - ``TAR@FAR=f``: true accept rate on all pairs at false accept rate
      :math:`f` (score :math:`-d`);
    - with ``with_eer=True``, ``EER`` (%) and ``EER_threshold`` (score
      :math:`-d`), see ``equal_error_rate``;
    - optionally the ROC curve saved as a PNG.

    Args:
        num_folds (int): Folds of the protocol. Defaults to 10.
        threshold_step (float): Step of the threshold grid on
            :math:`d \\in [0, 4)`. Defaults to 0.01.
        far_targets (Sequence[float]): FARs for TAR. Defaults to
            (1e-4, 1e-3, 1e-2, 1e-1).
        flip_fusion (str): ``'none'``, ``'sum'`` (:math:`e + e_{flip}`) or
            ``'concat'`` ([e, e_flip]); the last two need the model's
            ``flip_test=True``. Defaults to ``'none'``.
        roc_file (str, optional): Save the ROC curve to this PNG.
            Defaults to None.
        with_eer (bool): Also report the equal error rate.
            Defaults to False.
        collect_device (str): Device to collect results. Defaults to 'cpu'.
        prefix (str, optional): Metric name prefix. Defaults to
            ``'verification'``.
    """

    default_prefix: Optional[str] = 'verification'

    def __init__(self,
                 num_folds: int = 10,
                 threshold_step: float = 0.01,
                 far_targets: Sequence[float] = (1e-4, 1e-3, 1e-2, 1e-1),
                 flip_fusion: str = 'none',
                 roc_file: Optional[str] = None,
                 with_eer: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if flip_fusion not in ('none', 'sum', 'concat'):
            raise ValueError('FaceVerificationMetric: `flip_fusion` must be '
                             f"'none', 'sum' or 'concat', got {flip_fusion!r}")
        if threshold_step <= 0:
            raise ValueError('FaceVerificationMetric: `threshold_step` must '
                             f'be > 0, got {threshold_step}')
        self.num_folds = num_folds
        self.thresholds = np.arange(0, 4, threshold_step)
        self.far_targets = tuple(far_targets)
        self.flip_fusion = flip_fusion
        self.roc_file = roc_file
        self.with_eer = with_eer

    def _fuse(self, sample: dict) -> torch.Tensor:
        """The embedding of one sample after optional flip fusion."""
        feat = sample['pred_feat']
        if self.flip_fusion == 'none':
            return feat
        if 'pred_feat_flip' not in sample:
            raise KeyError(
                'FaceVerificationMetric: flip_fusion='
                f'{self.flip_fusion!r} needs `pred_feat_flip`; set the '
                "model's `flip_test=True` (FaceRecognizer)")
        flip = sample['pred_feat_flip']
        return feat + flip if self.flip_fusion == 'sum' else torch.cat(
            [feat, flip])

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep (sample index, fused embedding) of every sample."""
        for sample in data_samples:
            if 'pred_feat' not in sample:
                raise KeyError('FaceVerificationMetric: the prediction has '
                               'no `pred_feat`; use model type '
                               "'FaceRecognizer'")
            feat = self._fuse(sample).detach().float().cpu().numpy()
            self.results.append((int(sample['sample_idx']), feat))

    def _pairs(self, results: List[tuple]) -> tuple:
        """Embeddings of the two sides of every pair and the labels."""
        issame = (self.dataset_meta or {}).get('issame')
        if issame is None:
            raise KeyError('FaceVerificationMetric: the dataset metainfo has '
                           'no `issame` list; use FaceBinPairDataset or '
                           'LFWPairsDataset')
        issame = np.asarray(issame, dtype=bool)
        by_idx = dict(results)
        if sorted(by_idx) != list(range(2 * len(issame))):
            raise ValueError(
                f'FaceVerificationMetric: got embeddings of {len(by_idx)} '
                f'images but the dataset has {len(issame)} pairs '
                f'({2 * len(issame)} images); do not subsample the val set')
        feats = np.stack([by_idx[i] for i in range(2 * len(issame))])
        return feats[0::2], feats[1::2], issame

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        """Accuracy (mean, std over folds), threshold, TAR at FAR."""
        emb1, emb2, issame = self._pairs(results)
        dist = pair_distances(emb1, emb2)
        accs, thrs = kfold_accuracy(dist, issame, self.thresholds,
                                    self.num_folds)
        metrics = dict(
            accuracy=float(accs.mean() * 100),
            accuracy_std=float(accs.std() * 100),
            threshold=float(thrs.mean()))
        for far, tar in tar_at_far(-dist, issame, self.far_targets).items():
            metrics[f'TAR@FAR={far:.0e}'] = tar * 100
        if self.with_eer:
            eer, thr = equal_error_rate(-dist, issame)
            metrics.update(EER=eer * 100, EER_threshold=thr)
        if self.roc_file:
            self._save_roc(-dist, issame)
        return metrics

    def _save_roc(self, similarity: np.ndarray, issame: np.ndarray) -> None:
        """Plot TAR against FAR (log scale) into ``roc_file``."""
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        far, tar = roc_curve(similarity, issame)
        fig, ax = plt.subplots(figsize=(5, 4))
        keep = far > 0
        ax.plot(far[keep], tar[keep])
        ax.set_xscale('log')
        ax.set_xlabel('False accept rate')
        ax.set_ylabel('True accept rate')
        ax.set_title(f'ROC ({len(issame)} pairs)')
        ax.grid(True, which='both', alpha=0.3)
        fig.tight_layout()
        mkdir_or_exist(osp.dirname(osp.abspath(self.roc_file)))
        fig.savefig(self.roc_file)
        plt.close(fig)
        print_log(
            f'FaceVerificationMetric: ROC curve saved to '
            f'{osp.abspath(self.roc_file)}',
            logger='current')
