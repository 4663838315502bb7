# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The WIDER FACE protocol on hand-computed cases."""
import numpy as np
import pytest

from projects.faceeval import widerface_iou, widerface_pr_curves

# Faces (x, y, w, h): F0 and F1 kept, F2 outside the keep list.
FACES = np.array([[0, 0, 10, 10], [20, 0, 10, 10], [40, 0, 10, 10]], float)


def _ap(preds, faces, kept):
    curves = widerface_pr_curves(
        preds, faces, dict(s=[np.asarray(k, bool) for k in kept]))
    return curves['s'].ap


def _pred(*rows):
    return np.array(rows, float).reshape(-1, 5)


# Unsorted on purpose: the protocol ranks by score.
PREDS = _pred(
    [0, 0, 10, 10, 0.9],  # F0: true positive
    [40, 0, 10, 10, 0.95],  # F2 (ignored): dropped from the proposals
    [0, 0, 10, 10, 0.8],  # F0 again: duplicate, false positive
    [100, 100, 10, 10, 0.7],  # nothing: false positive
    [20, 0, 10, 10, 0.6],  # F1: true positive
    [200, 200, 10, 10, 0.5],  # nothing: false positive
)


def test_iou_uses_plus_one_pixel_convention():
    iou = widerface_iou(
        np.array([[0, 0, 9, 9]], float),
        np.array([[0, 0, 9, 4], [5, 0, 14, 9], [10, 0, 19, 9], [9, 0, 18, 9]],
                 float))
    np.testing.assert_allclose(iou, [[0.5, 1 / 3, 0.0, 10 / 190]])


def test_ignored_face_and_duplicate():
    # Ranked after dropping the 0.95 prediction: TP, FP, FP, TP, FP over 2
    # kept faces. Envelope: P=1 up to R=1/2, P=2/4 up to R=1.
    assert _ap([PREDS], [FACES], [[1, 1, 0]]) == pytest.approx(0.75)
    # Keeping F2 turns the 0.95 prediction into a true positive:
    # TP, TP, FP, FP, TP over 3 faces -> 2/3 * 1 + 1/3 * 3/5.
    assert _ap([PREDS], [FACES], [[1, 1, 1]]) == pytest.approx(0.8 + 2 / 30)


def test_input_order_does_not_matter():
    shuffled = PREDS[[4, 2, 0, 5, 1, 3]]
    assert _ap([shuffled], [FACES], [[1, 1, 0]]) == pytest.approx(0.75)


def test_precision_recall_points():
    curve = widerface_pr_curves([PREDS], [FACES],
                                dict(s=[np.array([1, 1, 0], bool)]))['s']
    assert curve.num_faces == 2
    # Threshold 0.999 (first): only the 0.95 prediction (normalised to 1),
    # which is dropped: no proposals, precision 0 by convention.
    assert (curve.precision[0], curve.recall[0]) == (0.0, 0.0)
    # The range [0.5, 0.95] maps the kept predictions (ranked TP, FP, FP,
    # TP, FP) to 8/9, 2/3, 4/9, 2/9, 0. Threshold k is 1 - (k + 1) / 1000:
    # at 0.95, 0.8, 0.5, 0.3, 0.1 the proposals are 0, 1, 2, 3, 4. On the
    # raw scores 0.8 would already take the duplicate (P 1/2) and 0.5
    # everything (P 2/5, R 1).
    points = [(curve.precision[k], curve.recall[k])
              for k in (49, 199, 499, 699, 899)]
    assert points == [pytest.approx(v) for v in
                      ((0, 0), (1, 0.5), (0.5, 0.5), (1 / 3, 0.5),
                       (0.5, 1))]
    # Last threshold (0) takes everything: 2 TP of 5 proposals.
    assert curve.precision[-1] == pytest.approx(0.4)
    assert curve.recall[-1] == pytest.approx(1.0)


def test_equal_scores_enter_together():
    # A TP and an FP with the same score pass every threshold together:
    # P = 1/2 at R = 1/2 and at R = 1 -> AP 0.5 (a strict ranking would
    # give 0.75), whatever their input order.
    faces = FACES[:2]
    tp_first = _pred([0, 0, 10, 10, 0.9], [300, 0, 10, 10, 0.9],
                     [20, 0, 10, 10, 0.1], [300, 300, 10, 10, 0.1])
    assert _ap([tp_first], [faces], [[1, 1]]) == pytest.approx(0.5)
    assert _ap([tp_first[[1, 0, 3, 2]]], [faces],
               [[1, 1]]) == pytest.approx(0.5)


def test_all_scores_equal_is_one_curve_point_not_a_crash():
    # 1 TP and 1 FP, both 0.7: undefined min-max range; both enter at
    # every threshold: P = 1/2, R = 1/2 everywhere -> AP 0.25
    faces = FACES[:2]
    same = _pred([0, 0, 10, 10, 0.7], [300, 0, 10, 10, 0.7])
    assert _ap([same], [faces], [[1, 1]]) == pytest.approx(0.25)


def test_images_without_faces_or_predictions():
    no_faces = (_pred([0, 0, 10, 10, 0.99]), np.zeros((0, 4)), [])
    no_preds = (None, FACES[:1], [1])
    preds, faces, kept = zip((PREDS, FACES, [1, 1, 0]), no_faces, no_preds)
    # The image without faces adds nothing (not even false positives); the
    # unpredicted face adds to the recall denominator: 3 kept faces,
    # TP at R=1/3 (P=1) and R=2/3 (P=1/2).
    assert _ap(list(preds), list(faces), list(kept)) == pytest.approx(0.5)
    # No predictions at all: AP 0.
    assert _ap([None], [FACES], [[1, 1, 1]]) == 0.0


def test_iou_threshold_is_inclusive():
    face = np.array([[0, 0, 9, 9]], float)
    half = _pred([0, 0, 9, 4, 0.9], [300, 0, 5, 5, 0.1])
    below = _pred([0, 0, 9, 3.9, 0.9], [300, 0, 5, 5, 0.1])
    assert _ap([half], [face], [[1]]) == pytest.approx(1.0)
    assert _ap([below], [face], [[1]]) == pytest.approx(0.0)


def test_bad_inputs():
    with pytest.raises(ValueError, match='2 prediction entries for 1'):
        _ap([PREDS, PREDS], [FACES], [[1, 1, 1]])
    with pytest.raises(ValueError, match='keep\\["s"\\] does not match'):
        _ap([PREDS], [FACES], [[1, 1]])


def test_matches_the_loop_implementation(repo_root):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'bench', repo_root / 'benchmarks' / 'widerface_metric.py')
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rng = np.random.default_rng(1)
    faces = [rng.uniform(0, 60, (n, 4)) + [0, 0, 4, 4] for n in (5, 0, 8, 3)]
    kept = [rng.random(len(f)) < 0.7 for f in faces]
    preds = bench.synthetic_predictions(faces, seed=2)
    for p in preds:
        p[:, 4] = np.round(p[:, 4], 1)  # many equal scores
    preds[3] = None
    fast = widerface_pr_curves(preds, faces, dict(s=kept))['s'].ap
    assert fast == pytest.approx(bench.loop_widerface_ap(
        preds, faces, dict(s=kept))['s'], abs=1e-12)
    assert 0 < fast < 1


# Score normalisation (official: the range starts as [1, 0] and widens to
# the scores' [min, max]). Faces F0, F1 kept; predictions TP (F0), FP,
# TP (F1) in descending raw score.
def _tp_fp_tp(scores):
    return _pred([0, 0, 10, 10, scores[0]], [300, 0, 10, 10, scores[1]],
                 [20, 0, 10, 10, scores[2]])


@pytest.mark.parametrize(
    'scores,ap',
    [
        # logits: -> 1, 5/7, 0; each at its own threshold (the last one,
        # 0, takes the 0): P = 1 up to R = 1/2, then 2/3 up to R = 1.
        # Without normalisation 5 and 3 would enter together and -2 never.
        ((5.0, 3.0, -2.0), 0.5 + 0.5 * 2 / 3),
        # all above 1: the range is [1, 1001] -> 1, 0.9995, 0.9992, all at
        # the first threshold (0.999): one point P = 2/3, R = 1. A plain
        # min-max (no 1 in the range) would spread them: 5/6.
        ((1001.0, 1000.5, 1000.2), 2 / 3),
        # all below 0: the range is [-1.0008, 0] -> all under 0.001, so all
        # enter at the last threshold (0) together: 2/3 (plain min-max 5/6)
        ((-1.0, -1.0005, -1.0008), 2 / 3),
        # inside [0, 1] the range is [min, max]: 1, 0.5, 0 -> 5/6
        ((0.9, 0.5, 0.1), 0.5 + 0.5 * 2 / 3),
    ])
def test_score_normalisation_changes_the_ap(scores, ap):
    faces = FACES[:2]
    assert _ap([_tp_fp_tp(scores)], [faces], [[1, 1]]) == pytest.approx(ap)


def test_equal_scores_log_a_warning():
    import logging

    from mmengine.logging import MMLogger
    records = []

    class _Keep(logging.Handler):

        def emit(self, record):
            records.append(record)

    logger = MMLogger.get_current_instance()
    handler = _Keep(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        same = _pred([0, 0, 10, 10, 0.7], [300, 0, 10, 10, 0.7])
        _ap([same], [FACES[:2]], [[1, 1]])
    finally:
        logger.removeHandler(handler)
    assert any('every prediction has the score 0.7' in r.getMessage()
               for r in records)


def _official_loop_ap(preds, faces, kept):
    """The official evaluation written out as its loops (independent of the
    code under test): normalisation with the range starting at [1, 0],
    per-prediction matching in descending score order, per-threshold
    counting, VOC AP. One deviation: 0 proposals give precision 0 (the
    official code divides 0 by 0)."""
    low, high = 1.0, 0.0
    for p in preds:
        if p is not None and len(p):
            low, high = min(low, p[:, 4].min()), max(high, p[:, 4].max())
    thresholds = 1 - (np.arange(1000) + 1) / 1000
    curve = np.zeros((1000, 2))
    for p, gt, keep in zip(preds, faces, kept):
        if p is None or not len(p) or not len(gt):
            continue
        p = p[np.argsort(-p[:, 4], kind='stable')].astype(float)
        p[:, 4] = (p[:, 4] - low) / (high - low)
        recalled = np.zeros(len(gt))
        proposal = np.ones(len(p))
        recall_at = np.zeros(len(p))
        for h, box in enumerate(p):
            best, best_iou = -1, -1.0
            for g, face in enumerate(gt):
                ix = min(box[0] + box[2], face[0] + face[2]) - max(
                    box[0], face[0]) + 1
                iy = min(box[1] + box[3], face[1] + face[3]) - max(
                    box[1], face[1]) + 1
                inter = max(ix, 0) * max(iy, 0)
                union = (box[2] + 1) * (box[3] + 1) + (face[2] + 1) * (
                    face[3] + 1) - inter
                if inter / union > best_iou:
                    best, best_iou = g, inter / union
            if best_iou >= 0.5:
                if not keep[best]:
                    recalled[best] = -1
                    proposal[h] = -1
                elif recalled[best] == 0:
                    recalled[best] = 1
            recall_at[h] = (recalled == 1).sum()
        for t, thr in enumerate(thresholds):
            above = np.where(p[:, 4] >= thr)[0]
            if len(above):
                last = above[-1]
                curve[t] += [(proposal[:last + 1] == 1).sum(),
                             recall_at[last]]
    num_faces = sum(int(np.sum(k)) for k in kept)
    precision = np.divide(curve[:, 1], curve[:, 0],
                          out=np.zeros(1000), where=curve[:, 0] > 0)
    recall = curve[:, 1] / num_faces
    mrec = np.concatenate(([0.], recall, [1.]))
    mpre = np.concatenate(([0.], precision, [0.]))
    for i in range(len(mpre) - 1, 0, -1):
        mpre[i - 1] = max(mpre[i - 1], mpre[i])
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


@pytest.mark.parametrize('scale,shift', [(1.0, 0.0), (6.0, -3.0),
                                         (0.002, 5.0)])
def test_matches_the_official_loops_written_out(scale, shift):
    # random faces and predictions, many equal scores, raw scores in
    # [0, 1], logits around 0, and a narrow band above 1
    rng = np.random.default_rng(3)
    faces = [rng.uniform(0, 60, (n, 2)) for n in (5, 0, 8, 3, 6)]
    faces = [np.hstack([f, rng.uniform(4, 20, (len(f), 2))]) for f in faces]
    kept = [rng.random(len(f)) < 0.7 for f in faces]
    preds = []
    for f in faces:
        jitter = f[rng.integers(0, max(len(f), 1), 6)] if len(f) else \
            rng.uniform(0, 60, (6, 4))
        boxes = jitter + rng.normal(0, 2, jitter.shape)
        boxes[:, 2:] = np.abs(boxes[:, 2:]) + 1
        scores = np.round(rng.random(6), 1) * scale + shift
        preds.append(np.hstack([boxes, scores[:, None]]))
    preds[3] = None
    got = widerface_pr_curves(preds, faces, dict(s=kept))['s'].ap
    expected = _official_loop_ap(preds, faces, kept)
    # mmdet's average_precision returns float32
    assert got == pytest.approx(expected, rel=1e-6)
    assert 0 < expected < 1
