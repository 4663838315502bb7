# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Verify two palm photos with DeepMPV+ (arXiv 2003.13266): detect the
finger gaps and palm centre, cut the ROIs, embed them, decide::

    python tools/palm_verify.py DET_CONFIG DET_CKPT REC_CONFIG REC_CKPT \\
        IMG1 IMG2 --out-dir work_dirs/palm_verify

Prints the cosine score and the decision (accept iff score >= threshold,
the inference script's 0.5014 by default); writes ``roi_1.jpg``,
``roi_2.jpg`` and ``points_1.jpg``, ``points_2.jpg`` (boxes, points, ROI)
to ``--out-dir``. A photo whose ROI cannot be cut (fewer than two gaps, no
palm centre) is rejected, with the reason. ``none`` as a checkpoint keeps
the model's initialisation.
"""
import argparse
import json
import os
import os.path as osp
import sys

import cv2

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from projects.deepmpv.apis import PalmVerifier, draw_palm  # noqa: E402
from projects.deepmpv.datasets import parse_mpd_name  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    for name in ('det_config', 'det_checkpoint', 'rec_config',
                 'rec_checkpoint', 'img1', 'img2'):
        parser.add_argument(name)
    parser.add_argument('--out-dir', default='work_dirs/palm_verify')
    parser.add_argument('--geometry', choices=['deepmpv_plus', 'mpd'],
                        default='deepmpv_plus')
    parser.add_argument('--roi-size', type=int, default=224)
    parser.add_argument('--threshold', type=float, default=0.5014)
    parser.add_argument('--score-thr', type=float, default=0.5,
                        help='detection score threshold')
    parser.add_argument('--hands', nargs=2, default=None,
                        help="'l'/'r' per photo (MPD geometry); read from "
                        'MPD file names when omitted')
    parser.add_argument('--device', default='cpu')
    return parser.parse_args()


def _hand(path: str):
    try:
        return parse_mpd_name(path).hand
    except ValueError:
        return None


def main() -> None:
    args = parse_args()
    verifier = PalmVerifier.from_args(args)
    imgs = []
    for path in (args.img1, args.img2):
        img = cv2.imread(path)
        if img is None:
            raise FileNotFoundError(f'palm_verify: cannot read image {path}')
        imgs.append(img)
    hands = args.hands or [_hand(args.img1), _hand(args.img2)]
    out = verifier.verify(imgs[0], imgs[1], (args.img1, args.img2),
                          tuple(hands))
    os.makedirs(args.out_dir, exist_ok=True)
    for k, ((result, points), img) in enumerate(zip(out['results'], imgs),
                                                 1):
        cv2.imwrite(osp.join(args.out_dir, f'points_{k}.jpg'),
                    draw_palm(img, points, result))
        if result.ok:
            cv2.imwrite(osp.join(args.out_dir, f'roi_{k}.jpg'), result.roi)
    summary = dict(
        score=out['score'], threshold=args.threshold,
        decision='same palm' if out['accept'] else 'different palms',
        no_roi={n: r.reason for (r, _), n in zip(
            out['results'], (args.img1, args.img2)) if not r.ok})
    print(json.dumps(summary))


if __name__ == '__main__':
    main()
