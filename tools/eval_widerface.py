# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Evaluate a WIDER FACE prediction folder with the official protocol.

The folder has one sub-folder per event and one ``<image>.txt`` per image
(image name line, count line, ``x y w h score`` lines), as written by
``WiderFaceMetric(pred_dir=...)`` or by the official test scripts. Imports
no torch or toolbox (:mod:`projects.faceeval`)::

    python tools/eval_widerface.py --pred work_dirs/preds \
        --gt data/WIDERFace/eval_tools/ground_truth \
        --out-json widerface.json --plot widerface_pr.png
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from projects.faceeval import (PRCurve, load_widerface_gt,  # noqa: E402
                               read_prediction_dir, widerface_pr_curves)


def plot_pr_curves(curves: Dict[str, PRCurve], path: str) -> None:
    """Draw one precision/recall curve per setting into a PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 4))
    for name, curve in curves.items():
        ax.plot(curve.recall, curve.precision,
                label=f'{name}: AP {curve.ap:.3f}')
    ax.set(xlabel='recall', ylabel='precision', xlim=(0, 1), ylim=(0, 1.01),
           title='WIDER FACE val')
    ax.legend(loc='lower left')
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pred', required=True, help='prediction folder')
    parser.add_argument(
        '--gt', required=True,
        help='folder of wider_face_val.mat and wider_{easy,medium,hard}_val.mat')
    parser.add_argument('--iou-thr', type=float, default=0.5)
    parser.add_argument('--out-json', help='write {"easy": AP, ...} here')
    parser.add_argument('--plot', help='write the PR curves to this PNG')
    args = parser.parse_args()
    gt = load_widerface_gt(args.gt)
    preds, missing = read_prediction_dir(args.pred, gt)
    if missing:
        print(f'{missing} of {len(preds)} images have no prediction file: '
              'counted as no detections')
    curves = widerface_pr_curves(preds, gt.boxes, gt.keep, args.iou_thr)
    for name, curve in curves.items():
        print(f'{name:>6} AP: {curve.ap:.4f}')
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump({name: c.ap for name, c in curves.items()}, f, indent=2)
    if args.plot:
        plot_pr_curves(curves, args.plot)


if __name__ == '__main__':
    main()
