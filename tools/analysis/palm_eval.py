# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""End-to-end DeepMPV+ (arXiv 2003.13266) evaluation on an MPD-format
folder: every photo goes through the detector, the ROI cut and the matcher;
pairs of the chosen protocol are scored, photos without ROI count as
rejections::

    python tools/analysis/palm_eval.py DET_CONFIG DET_CKPT REC_CONFIG \\
        REC_CKPT --data-root data/mpd --split-file ImageSets/Main/test.txt \\
        --protocol cross_session --out-dir work_dirs/palm_eval

Photos: ``{data-root}/{photo-dir}/*.jpg`` (MPD names), restricted to the
stems of ``--split-file`` or to the last ``--test-subjects`` subjects.
Prints and writes ``metrics.json`` (EER, TAR@FAR, the held-out threshold's
FAR/FRR, FAR/FRR at ``--threshold``, ROI failures) and ``roc.png`` /
``scores.png``. ``none`` as a checkpoint keeps the initialisation.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from projects.deepmpv.apis import PalmVerifier, evaluate_photos  # noqa
from projects.deepmpv.datasets import (read_pair_list,  # noqa: E402
                                       scan_mpd_folder, split_subjects)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    for name in ('det_config', 'det_checkpoint', 'rec_config',
                 'rec_checkpoint'):
        parser.add_argument(name)
    parser.add_argument('--data-root', required=True)
    parser.add_argument('--photo-dir', default='original')
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--split-file', help='stems to evaluate')
    group.add_argument('--test-subjects', type=float,
                       help='count (>= 1) or fraction of the last subjects')
    parser.add_argument('--protocol', default='cross_session',
                        choices=['cross_session', 'cross_device', 'all'])
    parser.add_argument('--pair-file', help='a pair list instead')
    parser.add_argument('--impostors-per-genuine', type=float, default=1.0)
    parser.add_argument('--calib-fraction', type=float, default=0.5)
    parser.add_argument('--geometry', choices=['deepmpv_plus', 'mpd'],
                        default='deepmpv_plus')
    parser.add_argument('--roi-size', type=int, default=224)
    parser.add_argument('--threshold', type=float, default=0.5014)
    parser.add_argument('--score-thr', type=float, default=0.5)
    parser.add_argument('--out-dir', default='work_dirs/palm_eval')
    parser.add_argument('--save-rois', help='also write the ROIs here')
    return parser.parse_args()


def select_photos(args: argparse.Namespace) -> list:
    """The photo paths of the evaluated split."""
    items = scan_mpd_folder(osp.join(args.data_root, args.photo_dir))
    if args.split_file:
        with open(osp.join(args.data_root, args.split_file)) as f:
            stems = {line.strip() for line in f if line.strip()}
        return [p for p, _ in items
                if osp.splitext(osp.basename(p))[0] in stems]
    if args.test_subjects:
        num = args.test_subjects
        num = int(num) if num >= 1 else float(num)
        _, test = split_subjects([n.subject for _, n in items], num)
        return [p for p, n in items if n.subject in set(test)]
    return [p for p, _ in items]


def main() -> None:
    args = parse_args()
    verifier = PalmVerifier.from_args(args)
    photos = select_photos(args)
    if not photos:
        raise ValueError('palm_eval: no photos selected')
    pairs = read_pair_list(args.pair_file) if args.pair_file else None
    os.makedirs(args.out_dir, exist_ok=True)
    report = evaluate_photos(verifier, photos, args.protocol, pairs,
                             args.impostors_per_genuine, args.calib_fraction,
                             out_dir=args.out_dir,
                             save_roi_dir=args.save_rois)
    report['roi_failures_by_reason'] = verifier.extractor.failure_counts()
    with open(osp.join(args.out_dir, 'metrics.json'), 'w') as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report))


if __name__ == '__main__':
    main()
