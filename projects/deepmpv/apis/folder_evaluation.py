# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""End-to-end verification of a folder of MPD photos."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.logging import print_log

from ..datasets import Pair, make_mpd_pairs, pair_arrays, parse_mpd_name
from ..evaluation import save_verification_plots, verification_report
from .palm_verifier import REJECTED_SCORE, PalmVerifier


def embed_photos(verifier: PalmVerifier, paths: Sequence[str],
                 batch_size: int = 64,
                 save_roi_dir: Optional[str] = None) -> Dict[str, np.ndarray]:
    """Detect, cut and embed every photo; photos without ROI are absent
    from the result (the extractor counts them by reason).

    Returns:
        dict[str, np.ndarray]: Photo name -> L2-normalised embedding.
    """
    names, rois = [], []
    if save_roi_dir:
        os.makedirs(save_roi_dir, exist_ok=True)
    for path in paths:
        img = cv2.imread(path)
        if img is None:
            raise FileNotFoundError(f'palm evaluation: cannot read {path}')
        name = osp.basename(path)
        result, _ = verifier.roi(img, name, parse_mpd_name(name).hand)
        if result.ok:
            names.append(name)
            rois.append(result.roi)
            if save_roi_dir:
                cv2.imwrite(osp.join(save_roi_dir, name), result.roi)
    feats = [verifier.embed(rois[i:i + batch_size])
             for i in range(0, len(rois), batch_size)]
    return dict(zip(names, np.concatenate(feats) if feats else []))


def evaluate_photos(verifier: PalmVerifier,
                    paths: Sequence[str],
                    protocol: str = 'cross_session',
                    pairs: Optional[List[Pair]] = None,
                    impostors_per_genuine: float = 1.0,
                    calib_fraction: float = 0.5,
                    seed: int = 0,
                    out_dir: Optional[str] = None,
                    save_roi_dir: Optional[str] = None) -> Dict[str, float]:
    """The verification numbers of the DeepMPV+ pipeline on MPD photos,
    detection failures counted as rejections: a pair with a photo without
    ROI gets score ``REJECTED_SCORE`` (below every cosine), so a genuine
    one is a false rejection at every threshold.

    Args:
        verifier (PalmVerifier): Detector, ROI and matcher.
        paths (Sequence[str]): Photo paths (MPD names).
        protocol (str): Pair protocol when ``pairs`` is None.
            Defaults to ``'cross_session'``.
        pairs (list[Pair], optional): A pair list. Defaults to None.
        impostors_per_genuine (float): See ``make_mpd_pairs``.
            Defaults to 1.0.
        calib_fraction (float): Subjects choosing the threshold.
            Defaults to 0.5.
        seed (int): Impostor sampling seed. Defaults to 0.
        out_dir (str, optional): Where ``roc.png`` and ``scores.png`` go.
            Defaults to None (no plots).
        save_roi_dir (str, optional): Also write the ROIs here.
            Defaults to None.

    Returns:
        dict[str, float]: ``verification_report`` numbers (FAR/FRR at
        ``verifier.threshold`` as ``@fixed``), plus ``num_photos``,
        ``roi_failures`` and ``pairs_with_failure``.
    """
    names = [osp.basename(p) for p in paths]
    embeddings = embed_photos(verifier, paths, save_roi_dir=save_roi_dir)
    if pairs is None:
        pairs = make_mpd_pairs(names, protocol, impostors_per_genuine,
                               calib_fraction, seed)
    idx, issame, fold = pair_arrays(pairs, names)
    ok = np.array([n in embeddings for n in names])
    both = ok[idx[:, 0]] & ok[idx[:, 1]]
    scores = np.full(len(idx), REJECTED_SCORE)
    for k in np.flatnonzero(both):
        a, b = names[idx[k, 0]], names[idx[k, 1]]
        scores[k] = float(np.dot(embeddings[a], embeddings[b]))
    report = verification_report(scores, issame, fold,
                                 fixed_threshold=verifier.threshold)
    report.update(num_photos=float(len(names)),
                  roi_failures=float((~ok).sum()),
                  pairs_with_failure=float((~both).sum()))
    verifier.extractor.log_summary()
    print_log(f'palm evaluation: {int((~ok).sum())} of {len(names)} photos '
              f'without ROI; {int((~both).sum())} of {len(idx)} pairs '
              'rejected for it', logger='current')
    if out_dir:
        save_verification_plots(scores, issame, osp.join(out_dir, 'roc.png'),
                                osp.join(out_dir, 'scores.png'),
                                report.get('threshold'), protocol)
    return report
