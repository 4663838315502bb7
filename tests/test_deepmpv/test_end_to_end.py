# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""End to end: detect -> ROI -> embed -> decide, with detection failures
counted as rejections, and the two command-line tools."""
import json
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from projects.deepmpv.apis import (REJECTED_SCORE, PalmPoints, PalmVerifier,
                                   draw_palm, evaluate_photos)
from projects.deepmpv.datasets import read_point_file
from projects.deepmpv.roi import PalmROIExtractor, split_points

from .conftest import REPO, SUBPROCESS_ENV, load_tool

DET = 'configs/deepmpv/deepmpv_tiny-yolov3-w0.25_1xb8-600it_palms-demo.py'
REC = ('configs/deepmpv/'
       'deepmpv_mobilefacenet-tiny-64_arcface_1xb32-400it_palms-demo.py')


class _OracleVerifier(PalmVerifier):
    """The true points instead of the detector's (per photo name); photos
    in ``lose`` keep one gap only."""

    def __init__(self, points: dict, lose=(), **kwargs):
        super().__init__(DET, None, REC, None, **kwargs)
        self.points, self.lose = points, set(lose)

    def roi(self, img, name='<image>', hand=None):
        gaps, centre, _ = split_points(self.points[name])
        if name in self.lose:
            gaps = gaps[:1]
        pts = PalmPoints(gaps, np.asarray(centre), np.zeros((0, 4)),
                         np.zeros(0, int), np.zeros(0))
        return self.extractor(img, gaps, centre, hand, name), pts


@pytest.fixture(scope='module')
def test_photos(palm_root):
    stems = (palm_root / 'ImageSets/Main/test.txt').read_text().split()
    return [str(palm_root / 'original' / f'{s}.jpg') for s in stems]


def test_failures_count_as_rejections(palm_root, test_photos, tmp_path):
    points = read_point_file(str(palm_root / 'points.txt'))
    lost = osp.basename(test_photos[0])
    verifier = _OracleVerifier(points, lose=[lost],
                               extractor=PalmROIExtractor(out_size=64))
    report = evaluate_photos(verifier, test_photos, 'cross_session',
                             calib_fraction=0.0, out_dir=str(tmp_path),
                             save_roi_dir=str(tmp_path / 'rois'))
    assert report['num_photos'] == 16 and report['roi_failures'] == 1
    # the lost photo pairs with the 2 photos of its hand and phone of the
    # other session (genuine) and as many impostors may include it
    assert report['pairs_with_failure'] >= 2
    assert verifier.extractor.failure_counts() == {
        'fewer than 2 finger gaps': 1}
    assert len(list((tmp_path / 'rois').iterdir())) == 15
    assert (tmp_path / 'roc.png').stat().st_size > 1000
    # a genuine pair with a rejected photo is a false rejection even at
    # the lowest threshold: TAR can never reach 100 %
    assert report['FRR@fixed'] > 0 and 0 <= report['EER'] <= 100


def test_verify_decides_and_draws(palm_root):
    points = read_point_file(str(palm_root / 'points.txt'))
    verifier = _OracleVerifier(points, lose=['001_2_h_l_01.jpg'],
                               extractor=PalmROIExtractor(out_size=64))
    # the top-level data_preprocessor of the config (mean/std 127.5, RGB)
    prep = verifier.matcher.data_preprocessor
    assert prep.to_rgb and prep.mean.flatten().tolist() == [127.5] * 3
    img = cv2.imread(str(palm_root / 'original' / '001_1_h_l_01.jpg'))
    same = verifier.verify(img, img, ('001_1_h_l_01.jpg',) * 2)
    assert same['score'] == pytest.approx(1.0, abs=1e-5) and same['accept']
    other = cv2.imread(str(palm_root / 'original' / '001_2_h_l_01.jpg'))
    lost = verifier.verify(img, other,
                           ('001_1_h_l_01.jpg', '001_2_h_l_01.jpg'))
    assert lost['score'] == REJECTED_SCORE and not lost['accept']
    assert lost['failed'] == ['001_2_h_l_01.jpg']
    result, pts = lost['results'][0]
    vis = draw_palm(img, pts, result)
    assert vis.shape == img.shape and not np.array_equal(vis, img)
    emb = verifier.embed([result.roi, result.roi[:, ::-1]])
    assert emb.shape == (2, 128)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1, rtol=1e-5)
    with pytest.raises(ValueError, match='no ROI to embed'):
        verifier.embed([])


def test_detector_points_are_box_centres(palm_root):
    verifier = PalmVerifier(DET, None, REC, None, score_thr=0.0)
    img = cv2.imread(str(palm_root / 'original' / '001_1_h_l_01.jpg'))
    pts = verifier.detect(img)
    gaps = pts.boxes[pts.labels == 0]
    np.testing.assert_allclose(pts.gaps, (gaps[:, :2] + gaps[:, 2:]) / 2)
    if pts.centre is not None:
        best = np.argmax(np.where(pts.labels == 1, pts.scores, -1))
        np.testing.assert_allclose(
            pts.centre, (pts.boxes[best, :2] + pts.boxes[best, 2:]) / 2)
    assert np.all(pts.scores >= 0)


def test_palm_verify_cli(palm_root, tmp_path):
    out = tmp_path / 'out'
    proc = subprocess.run(
        [sys.executable, 'tools/palm_verify.py', DET, 'none', REC, 'none',
         str(palm_root / 'original' / '001_1_h_l_01.jpg'),
         str(palm_root / 'original' / '001_2_m_l_02.jpg'), '--out-dir',
         str(out), '--roi-size', '64', '--score-thr', '0.99'],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env=SUBPROCESS_ENV)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    # untrained detector: no box reaches 0.99, both photos are rejected
    assert summary['decision'] == 'different palms'
    assert summary['score'] == REJECTED_SCORE
    assert len(summary['no_roi']) == 2
    assert (out / 'points_1.jpg').is_file() and (out / 'points_2.jpg').is_file()


def test_palm_eval_tool_selects_the_split(palm_root, tmp_path, monkeypatch):
    tool = load_tool('tools/analysis/palm_eval.py', 'palm_eval')
    monkeypatch.setattr(sys, 'argv', [
        'palm_eval.py', DET, 'none', REC, 'none', '--data-root',
        str(palm_root), '--test-subjects', '1', '--out-dir', str(tmp_path),
        '--score-thr', '0.99', '--roi-size', '64'])
    tool.main()
    report = json.loads((tmp_path / 'metrics.json').read_text())
    assert report['num_photos'] == 16 and report['roi_failures'] == 16
    assert report['roi_failures_by_reason'] == {
        'fewer than 2 finger gaps': 16}
    assert report['FRR@fixed'] == 100 and report['FAR@fixed'] == 0
