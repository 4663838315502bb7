# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DeepMPV+ (arXiv 2003.13266) end to end on generated palms, on the CPU.

1. generate MPD-format palm photos (``tools/misc/make_palms.py``);
2. train the tiny-YOLOv3 finger-gap / palm-centre detector
   (``tools/train.py``) and report its point error and ROI rate on the
   held-out subjects;
3. cut the ROIs of all photos twice: from the annotated points (to measure
   the matcher alone) and from the trained detector's points (the pipeline's
   own ROIs; photos without ROI are counted and left out);
4. train the MobileFaceNet + ArcFace matcher on the detector ROIs of the
   training subjects;
5. report the EER of held-out subjects, trained against untrained matcher:
   on ROIs cut from the true points, and end to end (detector ROIs,
   detection failures counted as rejections); with the time of each step::

    python tools/misc/deepmpv_demo.py --work-dir work_dirs/deepmpv_demo

Both training runs go through ``tools/train.py`` with the demo configs of
``configs/deepmpv``; ``--threads`` sets the torch threads of every step
(1 thread is fastest on a shared, loaded machine).
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

import numpy as np
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from projects.deepmpv.apis import (PalmVerifier, embed_photos,  # noqa
                                   evaluate_photos)
from projects.deepmpv.datasets import (make_mpd_pairs,  # noqa: E402
                                       pair_arrays, parse_mpd_name,
                                       read_point_file)
from projects.deepmpv.evaluation import verification_report  # noqa: E402
from projects.deepmpv.roi import (PalmROIExtractor,  # noqa: E402
                                  write_roi_folder)

DET = 'configs/deepmpv/deepmpv_tiny-yolov3-w0.25_1xb8-600it_palms-demo.py'
REC = ('configs/deepmpv/'
       'deepmpv_mobilefacenet-tiny-64_arcface_1xb32-400it_palms-demo.py')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/deepmpv_demo')
    parser.add_argument('--num-subjects', type=int, default=40)
    parser.add_argument('--test-subjects', type=int, default=10)
    parser.add_argument('--iters', type=int, default=3,
                        help='photos per hand, session and phone')
    parser.add_argument('--size', type=int, default=256, help='photo side')
    parser.add_argument('--det-iters', type=int, default=800)
    parser.add_argument('--rec-iters', type=int, default=400)
    parser.add_argument('--roi-size', type=int, default=64)
    parser.add_argument('--gaps', choices=['all', 'outer'], default='all',
                        help='label all three finger gaps or only A and B')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='detection score threshold (the script: 0.5, '
                        'for a fully trained detector; the 600-iteration '
                        'demo detector is less confident)')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def _load_tool(rel: str, name: str):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, osp.join(REPO, rel))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _train(cfg: str, work_dir: str, options: list, threads: int) -> dict:
    """Run tools/train.py; return the last validation scalars."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    log = osp.join(work_dir + '.log')
    os.makedirs(work_dir, exist_ok=True)
    with open(log, 'w') as f:
        proc = subprocess.run(
            [sys.executable, 'tools/train.py', cfg, '--work-dir', work_dir,
             '--cfg-options', *options], cwd=REPO, stdout=f,
            stderr=subprocess.STDOUT)
    if proc.returncode:
        with open(log) as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f'deepmpv_demo: training {cfg} failed (log '
                           f'{log}):\n{tail}')
    scalars = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                        'scalars.json')))[-1]
    with open(scalars) as f:
        rows = [json.loads(line) for line in f]
    return [r for r in rows if 'loss' not in r][-1]


def _options(dataset: dict, iters: int, extra: list) -> list:
    """``--cfg-options`` of a demo run: the dataset keys of every loader,
    the iteration count (validation and checkpoint at the end), ``extra``."""
    return [
        f'{loader}.dataset.{key}={value}'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader') for key, value in dataset.items()
    ] + extra + [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'default_hooks.checkpoint.interval={iters}'
    ]


def _roi_eer(verifier: PalmVerifier, roi_dir: str, names: list) -> dict:
    """EER of the matcher on ROIs cut from the true points."""
    import cv2
    rois = [cv2.imread(osp.join(roi_dir, n)) for n in names]
    feats = np.concatenate([verifier.embed(rois[i:i + 64])
                            for i in range(0, len(rois), 64)])
    idx, issame, fold = pair_arrays(make_mpd_pairs(names), names)
    scores = np.sum(feats[idx[:, 0]] * feats[idx[:, 1]], axis=1)
    return verification_report(scores, issame, fold)


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    times, start = {}, time.time()
    data = osp.abspath(osp.join(args.work_dir, 'palms'))
    make_palms = _load_tool('tools/misc/make_palms.py', 'make_palms')
    t = time.time()
    make_palms.write_dataset(data, args.num_subjects, args.iters, args.size,
                             args.seed, test_subjects=args.test_subjects,
                             gaps=args.gaps)
    times['generate'] = time.time() - t

    t = time.time()
    det_dir = osp.abspath(osp.join(args.work_dir, 'detector'))
    det_metrics = _train(DET, det_dir, _options(
        dict(data_root=f'{data}/'), args.det_iters, [
            f'val_evaluator.score_thr={args.score_thr}',
            f'param_scheduler.1.milestones=[{int(0.8 * args.det_iters)}]'
        ]), args.threads)
    det_ckpt = osp.join(det_dir, f'iter_{args.det_iters}.pth')
    times['train detector'] = time.time() - t

    t = time.time()
    points = read_point_file(osp.join(data, 'points.txt'))
    hands = {n: parse_mpd_name(n).hand for n in points}
    write_roi_folder(osp.join(data, 'original'), points,
                     osp.join(data, 'roi_gt'),
                     PalmROIExtractor(out_size=args.roi_size), hands)
    cutter = PalmVerifier(DET, det_ckpt, REC, None,
                          PalmROIExtractor(out_size=args.roi_size),
                          score_thr=args.score_thr)
    embed_photos(cutter, [osp.join(data, 'original', n) for n in points],
                 save_roi_dir=osp.join(data, 'roi'))
    cutter.extractor.log_summary()
    times['cut ROIs'] = time.time() - t

    t = time.time()
    num_classes = 2 * (args.num_subjects - args.test_subjects)
    rec_dir = osp.abspath(osp.join(args.work_dir, 'matcher'))
    rec_metrics = _train(REC, rec_dir, _options(
        dict(data_root=f'{data}/', test_subjects=args.test_subjects),
        args.rec_iters, [
            f'model.head.num_classes={num_classes}',
            f'data_preprocessor.num_classes={num_classes}'
        ]), args.threads)
    rec_ckpt = osp.join(rec_dir, f'iter_{args.rec_iters}.pth')
    times['train matcher'] = time.time() - t

    t = time.time()
    test_photos = sorted(
        osp.join(data, 'original', n) for n in points
        if int(parse_mpd_name(n).subject) >
        args.num_subjects - args.test_subjects)
    test_names = [osp.basename(p) for p in test_photos]
    rows = {}
    for label, ckpt in (('untrained', None), ('trained', rec_ckpt)):
        torch.manual_seed(args.seed)
        verifier = PalmVerifier(DET, det_ckpt, REC, ckpt,
                                PalmROIExtractor(out_size=args.roi_size),
                                score_thr=args.score_thr)
        roi = _roi_eer(verifier, osp.join(data, 'roi_gt'), test_names)
        e2e = evaluate_photos(verifier, test_photos, out_dir=osp.join(
            args.work_dir, f'eval_{label}'))
        rows[label] = (roi, e2e)
    times['evaluate'] = time.time() - t
    total = time.time() - start

    print('\n== DeepMPV+ demo on generated palms '
          f'({args.num_subjects} subjects, {args.test_subjects} held out; '
          f'{len(points)} photos of {args.size} px) ==')
    print(f"detector (held-out photos): gap recall "
          f"{det_metrics.get('palm_points/gap_recall', float('nan')):.1f}%, "
          f"gap error {det_metrics.get('palm_points/gap_error_px', 0):.2f} "
          f"px, centre error "
          f"{det_metrics.get('palm_points/centre_error_px', 0):.2f} px, "
          f"ROI rate {det_metrics.get('palm_points/roi_rate', 0):.1f}%")
    print('ROI-EER: ROIs from the true points; e2e: detector ROIs, photos '
          'without ROI rejected; thr: EER threshold of the calibration '
          'subjects')
    print('matcher      ROI-EER%  e2e-EER%  e2e-TAR@FAR=1e-2  '
          'e2e-FRR@thr  e2e-FAR@thr  ROI failures')
    for label, (roi, e2e) in rows.items():
        print(f"{label:<12} {roi['EER']:8.2f}  {e2e['EER']:8.2f}  "
              f"{e2e['TAR@FAR=1e-02']:16.2f}  {e2e.get('FRR', np.nan):11.2f}"
              f"  {e2e.get('FAR', np.nan):11.2f}  "
              f"{int(e2e['roi_failures'])}/{int(e2e['num_photos'])}")
    print('time (s): ' + ', '.join(f'{k} {v:.0f}' for k, v in times.items())
          + f'; total {total:.0f} ({total / 60:.1f} min) with '
          f'{args.threads} torch thread(s); load average '
          f'{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores')
    with open(osp.join(args.work_dir, 'demo_results.json'), 'w') as f:
        json.dump(dict(detector=det_metrics, matcher_val=rec_metrics,
                       results={k: dict(roi=v[0], end_to_end=v[1])
                                for k, v in rows.items()},
                       times=times, total_s=total), f, indent=1)


if __name__ == '__main__':
    main()
