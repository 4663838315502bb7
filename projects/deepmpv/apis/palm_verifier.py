# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""PalmVerifier: detect the key points, cut the ROI, embed, decide."""
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

from ..roi import PalmROIExtractor, RoiResult

REJECTED_SCORE = -2.0  # below any cosine: a photo without ROI never matches


class PalmPoints(NamedTuple):
    """Key points of one photo: gaps (N, 2), palm centre (or None), and
    the kept boxes (K, 4), labels (K,) and scores (K,)."""
    gaps: np.ndarray
    centre: Optional[np.ndarray]
    boxes: np.ndarray
    labels: np.ndarray
    scores: np.ndarray


def _test_pipeline(cfg: Config) -> Compose:
    """The detector's test pipeline for in-memory images: image from the
    array, no annotations."""
    steps = [dict(s) for s in cfg.test_dataloader.dataset.pipeline
             if s['type'] not in ('LoadAnnotations', 'mmdet.LoadAnnotations')]
    if steps[0]['type'].split('.')[-1] == 'LoadImageFromFile':
        steps[0] = dict(type='mmdet.LoadImageFromNDArray')
    return Compose(steps)


class PalmVerifier:
    """The DeepMPV+ pipeline of `Towards Palmprint Verification on
    Smartphones <https://arxiv.org/abs/2003.13266>`_ as the public
    inference script runs it: the detector's box centres are the points
    (finger gaps with score >= ``score_thr``; the palm centre is the best
    palm-centre box), :class:`PalmROIExtractor` cuts the ROI, the matcher
    embeds it, and two photos match when the cosine of their embeddings is
    at least ``threshold`` (script: 0.5014). A photo without ROI is
    rejected (score ``REJECTED_SCORE``).

    Args:
        det_config (str | Config): Detector config (mmdet).
        det_checkpoint (str, optional): Detector weights; None keeps the
            initialisation.
        rec_config (str | Config): Matcher config (mmpretrain,
            ``FaceRecognizer``).
        rec_checkpoint (str, optional): Matcher weights; None keeps the
            initialisation.
        extractor (PalmROIExtractor, optional): ROI geometry. Defaults to
            the script's (224 px unless ``roi_size``).
        score_thr (float): Detection score threshold. Defaults to 0.5.
        threshold (float): Decision threshold. Defaults to 0.5014.
        device (str): Device. Defaults to 'cpu'.
    """

    def __init__(self,
                 det_config: Union[str, Config],
                 det_checkpoint: Optional[str],
                 rec_config: Union[str, Config],
                 rec_checkpoint: Optional[str],
                 extractor: Optional[PalmROIExtractor] = None,
                 score_thr: float = 0.5,
                 threshold: float = 0.5014,
                 device: str = 'cpu') -> None:
        self.det_cfg = Config.fromfile(det_config) if isinstance(
            det_config, str) else det_config
        self.rec_cfg = Config.fromfile(rec_config) if isinstance(
            rec_config, str) else rec_config
        self.device = device
        self.detector = self._build('mmdet', self.det_cfg, det_checkpoint)
        self.matcher = self._build('mmpretrain', self.rec_cfg,
                                   rec_checkpoint)
        with DefaultScope.overwrite_default_scope('mmdet'):
            self.pipeline = _test_pipeline(self.det_cfg)
        self.input_size = int(self.rec_cfg.model.backbone.get(
            'input_size', 112))
        self.extractor = extractor or PalmROIExtractor()
        self.score_thr = score_thr
        self.threshold = threshold

    @classmethod
    def from_args(cls, args) -> 'PalmVerifier':
        """Build from the shared command-line arguments of the tools
        (``det_config``, ``det_checkpoint``, ``rec_config``,
        ``rec_checkpoint``, ``geometry``, ``roi_size``, ``score_thr``,
        ``threshold``, optional ``device``); ``none`` as a checkpoint keeps
        the initialisation."""
        ckpt = lambda p: None if p.lower() == 'none' else p  # noqa: E731
        return cls(args.det_config, ckpt(args.det_checkpoint),
                   args.rec_config, ckpt(args.rec_checkpoint),
                   PalmROIExtractor(args.geometry, out_size=args.roi_size),
                   score_thr=args.score_thr, threshold=args.threshold,
                   device=getattr(args, 'device', 'cpu'))

    def _build(self, scope: str, cfg: Config,
               checkpoint: Optional[str]) -> torch.nn.Module:
        """Build a model in its toolbox scope and load its weights."""
        with DefaultScope.overwrite_default_scope(scope):
            if scope == 'mmdet':
                from mmdet.registry import MODELS
            else:
                from mmpretrain.registry import MODELS
            model_cfg = cfg.model.copy()
            # as mmengine's Runner: a top-level data_preprocessor (the
            # mmpretrain config style) goes into the model
            if cfg.get('data_preprocessor') is not None:
                model_cfg.setdefault('data_preprocessor',
                                     cfg.data_preprocessor)
            model = MODELS.build(model_cfg)
            model.init_weights()
            if checkpoint:
                load_checkpoint(model, checkpoint, map_location='cpu')
        return model.to(self.device).eval()

    @torch.no_grad()
    def detect(self, img: np.ndarray) -> PalmPoints:
        """The key points of a BGR photo (original pixels)."""
        with DefaultScope.overwrite_default_scope('mmdet'):
            data = self.pipeline(dict(img=img, img_id=0))
            batch = dict(inputs=[data['inputs']],
                         data_samples=[data['data_samples']])
            pred = self.detector.test_step(batch)[0].pred_instances
        boxes = pred.bboxes.cpu().numpy().reshape(-1, 4)
        labels = pred.labels.cpu().numpy()
        scores = pred.scores.cpu().numpy()
        keep = scores >= self.score_thr
        boxes, labels, scores = boxes[keep], labels[keep], scores[keep]
        centres = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2,
                            (boxes[:, 1] + boxes[:, 3]) / 2], axis=1)
        palm = np.flatnonzero(labels == 1)
        centre = centres[palm[np.argmax(scores[palm])]] if palm.size \
            else None
        return PalmPoints(centres[labels == 0], centre, boxes, labels,
                          scores)

    def roi(self, img: np.ndarray, name: str = '<image>',
            hand: Optional[str] = None) -> Tuple[RoiResult, PalmPoints]:
        """Detect and cut the ROI of one photo (failures are counted by
        the extractor)."""
        points = self.detect(img)
        return self.extractor(img, points.gaps, points.centre, hand,
                              name), points

    @torch.no_grad()
    def embed(self, rois: List[np.ndarray]) -> np.ndarray:
        """L2-normalised embeddings (N, D) of BGR ROIs."""
        if not rois:
            raise ValueError('PalmVerifier: no ROI to embed')
        size = (self.input_size, self.input_size)
        inputs = [
            torch.from_numpy(
                np.ascontiguousarray(
                    cv2.resize(r, size, interpolation=cv2.INTER_LINEAR)
                    .transpose(2, 0, 1))) for r in rois
        ]
        data = self.matcher.data_preprocessor(dict(inputs=inputs), False)
        feats = self.matcher.embed(data['inputs']).float()
        return torch.nn.functional.normalize(feats, dim=1).cpu().numpy()

    def verify(self, img1: np.ndarray, img2: np.ndarray,
               names: Tuple[str, str] = ('image 1', 'image 2'),
               hands: Tuple[Optional[str], Optional[str]] = (None, None)
               ) -> Dict[str, object]:
        """Compare two photos: score, decision, and per photo the ROI
        result and points."""
        results = [self.roi(img, n, h)
                   for img, n, h in zip((img1, img2), names, hands)]
        failed = [n for (r, _), n in zip(results, names) if not r.ok]
        if failed:
            score = REJECTED_SCORE
        else:
            emb = self.embed([r.roi for r, _ in results])
            score = float(np.dot(emb[0], emb[1]))
        return dict(score=score, accept=score >= self.threshold,
                    failed=failed, results=results)
