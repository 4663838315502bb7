# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from projects.facedet import ICartoonFaceDataset, ICartoonFaceMetric


@pytest.fixture
def csv_root(tmp_path):
    img_dir = tmp_path / 'images'
    img_dir.mkdir()
    for name in ('a.jpg', 'b.jpg', 'empty.jpg'):
        cv2.imwrite(str(img_dir / name), np.zeros((40, 60, 3), np.uint8))
    return tmp_path


def _dataset(root, rows, **kwargs):
    (root / 'ann.csv').write_text('\n'.join(rows) + '\n')
    init_default_scope('mmdet')
    return ICartoonFaceDataset(
        data_root=str(root),
        ann_file='ann.csv',
        data_prefix=dict(img='images/'),
        pipeline=[],
        **kwargs)


def test_rows_group_by_image_and_keep_sizes(csv_root):
    ds = _dataset(csv_root, [
        'a.jpg,1,2,11,12,face', 'b.jpg,0,0,5,5,face',
        'a.jpg,20,20,30,35,face'
    ])
    infos = {info['img_id']: info for info in ds.load_data_list()}
    assert sorted(infos) == ['a.jpg', 'b.jpg']
    assert [i['bbox'] for i in infos['a.jpg']['instances']] == [
        [1, 2, 11, 12], [20, 20, 30, 35]
    ]
    assert (infos['a.jpg']['width'], infos['a.jpg']['height']) == (60, 40)


def test_image_list_keeps_background_images(csv_root):
    (csv_root / 'list.txt').write_text('a.jpg\nempty.jpg\n')
    ds = _dataset(
        csv_root, ['a.jpg,1,2,11,12,face'],
        img_list='list.txt',
        filter_cfg=dict(filter_empty_gt=False))
    infos = {info['img_id']: info for info in ds.load_data_list()}
    assert infos['empty.jpg']['instances'] == []


def test_zero_size_boxes_become_ignore_boxes(csv_root, capsys):
    from mmengine.logging import MMLogger
    MMLogger.get_instance('icartoonface_test', log_level='INFO')
    ds = _dataset(csv_root, ['a.jpg,1,2,11,12,face', 'a.jpg,5,5,5,9,face'])
    out = capsys.readouterr()
    assert '1 zero-size boxes kept as ignore boxes' in out.out + out.err
    flags = [i['ignore_flag'] for i in ds.load_data_list()[0]['instances']]
    assert flags == [0, 1]


@pytest.mark.parametrize('row,message', [
    ('a.jpg,1,2,11,face', 'line 2: expected 6 columns'),
    ('a.jpg,1,x,11,12,face', 'line 2: non-numeric box'),
    ('a.jpg,11,2,1,12,face', 'line 2: inverted box'),
    ('a.jpg,nan,2,11,12,face', 'line 2: NaN or infinite box'),
])
def test_bad_rows_name_file_and_line(csv_root, row, message):
    with pytest.raises(ValueError, match=message) as info:
        _dataset(csv_root, ['a.jpg,1,2,11,12,face', row])
    assert 'ann.csv' in str(info.value)


def _sample(gt, pred, scores, ignore=()):
    return dict(
        gt_instances=dict(
            bboxes=torch.tensor(gt, dtype=torch.float32).reshape(-1, 4),
            labels=torch.zeros(len(gt), dtype=torch.long)),
        ignored_instances=dict(
            bboxes=torch.tensor(ignore, dtype=torch.float32).reshape(-1, 4),
            labels=torch.zeros(len(ignore), dtype=torch.long)),
        pred_instances=dict(
            bboxes=torch.tensor(pred, dtype=torch.float32).reshape(-1, 4),
            scores=torch.tensor(scores, dtype=torch.float32),
            labels=torch.zeros(len(scores), dtype=torch.long)))


def _ap(samples):
    metric = ICartoonFaceMetric()
    metric.dataset_meta = dict(classes=('face', ))
    metric.process({}, samples)
    return metric.evaluate(len(samples))['icartoonface/AP50']


def test_ap50_by_hand():
    # Ranked: 0.9 TP, (0.95 on an ignore box: dropped), 0.8 duplicate FP,
    # 0.7 FP, 0.6 TP; 3 faces. Precision envelope 1.0 up to recall 1/3 and
    # 0.5 up to recall 2/3: AP = 1/3 * 1 + 1/3 * 0.5 = 0.5.
    a = _sample([[0, 0, 10, 10], [20, 20, 30, 30]],
                [[0, 0, 10, 10], [0, 0, 10, 10], [40, 40, 50, 50],
                 [60, 60, 70, 70]], [0.9, 0.8, 0.95, 0.7],
                ignore=[[40, 40, 50, 50]])
    b = _sample([[0, 0, 20, 20]], [[0, 0, 20, 20]], [0.6])
    assert _ap([a, b]) == pytest.approx(0.5)
    # Unsorted input order changes nothing.
    b_first = _ap([b, a])
    assert b_first == pytest.approx(0.5)


def test_ap50_iou_threshold():
    # IoU of [0,0,10,10] and [0,0,10,5] is 0.5: a hit at exactly 0.5.
    assert _ap([_sample([[0, 0, 10, 10]], [[0, 0, 10, 5]],
                        [0.9])]) == pytest.approx(1.0)
    assert _ap([_sample([[0, 0, 10, 10]], [[0, 0, 10, 4.9]],
                        [0.9])]) == pytest.approx(0.0)


def test_ap50_images_without_faces_or_predictions():
    no_faces = _sample([], [[0, 0, 5, 5]], [0.99])
    hit = _sample([[0, 0, 10, 10]], [[0, 0, 10, 10]], [0.5])
    # The background image's detection outranks the hit: precision 0.5.
    assert _ap([no_faces, hit]) == pytest.approx(0.5)
    missed = _sample([[0, 0, 10, 10]], [], [])
    assert _ap([missed, hit]) == pytest.approx(0.5)


def test_vectorised_ap_equals_mmdet_eval_map():
    from mmdet.evaluation.functional import eval_map

    from projects.facedet.evaluation.icartoonface_metric import voc_face_ap
    rng = np.random.default_rng(0)

    def boxes(n):
        xy = rng.uniform(0, 50, (n, 2))
        return np.hstack([xy, xy + rng.uniform(5, 20, (n, 2))])

    faces = [boxes(n) for n in (4, 0, 6, 3)]
    ignored = [boxes(n) for n in (1, 0, 0, 2)]
    preds = []
    for f in faces:
        near = f + rng.normal(0, 2, f.shape)
        dets = np.vstack([near, near[:1], boxes(3)])
        preds.append(np.hstack([dets, rng.random((len(dets), 1))]))
    ann = [dict(bboxes=f, labels=np.zeros(len(f), int), bboxes_ignore=i,
                labels_ignore=np.zeros(len(i), int))
           for f, i in zip(faces, ignored)]
    expected, _ = eval_map([[p] for p in preds], ann, iou_thr=0.5,
                           eval_mode='area', logger='silent')
    got = voc_face_ap(preds, faces, ignored)
    assert 0 < got < 1
    assert got == pytest.approx(expected, abs=1e-6)


def test_metric_needs_one_class():
    metric = ICartoonFaceMetric()
    metric.dataset_meta = dict(classes=('face', 'body'))
    with pytest.raises(ValueError, match='one class'):
        metric.compute_metrics([])
