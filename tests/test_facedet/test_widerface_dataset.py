# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""WiderFaceTxtDataset and the tiny WIDER FACE config through the tools."""
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope

import projects.facedet.datasets.face_base as face_base
from projects.facedet import WiderFaceTxtDataset

GT_TXT = """0--Parade/p_1.jpg
2
4 6 20 24 0 1 0 0 2 0
30 30 0 10 0 0 0 0 0 0
1--Handshaking/h_2.jpg
0
0 0 0 0 0 0 0 0 0 0
1--Handshaking/h_3.jpg
1
10 10 16 16 2 0 1 1 0 1
"""


def _images(root, names, size=64):
    rng = np.random.default_rng(0)
    for name in names:
        path = root / 'images' / name
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), rng.integers(0, 255, (size, size + 8, 3),
                                            dtype=np.uint8))


def _dataset(root, text, **kwargs):
    (root / 'gt.txt').write_text(text)
    init_default_scope('mmdet')
    return WiderFaceTxtDataset(
        data_root=str(root),
        ann_file='gt.txt',
        data_prefix=dict(img='images/'),
        pipeline=[],
        **kwargs)


@pytest.fixture
def root(tmp_path):
    _images(tmp_path, ['0--Parade/p_1.jpg', '1--Handshaking/h_2.jpg',
                       '1--Handshaking/h_3.jpg'])
    return tmp_path


def test_blocks_boxes_and_attributes(root):
    infos = _dataset(root, GT_TXT, test_mode=True).load_data_list()
    assert [i['img_id'] for i in infos] == [
        '0--Parade/p_1', '1--Handshaking/h_2', '1--Handshaking/h_3'
    ]
    assert (infos[0]['width'], infos[0]['height']) == (72, 64)
    first, zero_width = infos[0]['instances']
    assert first['bbox'] == [4, 6, 24, 30] and first['ignore_flag'] == 0
    assert first['attributes'] == dict(
        blur=0, expression=1, illumination=0, invalid=0, occlusion=2, pose=0)
    assert zero_width['ignore_flag'] == 1  # w = 0
    assert infos[1]['instances'] == []  # the all-zero line is no face
    invalid = infos[2]['instances'][0]
    assert invalid['ignore_flag'] == 1 and invalid['attributes']['pose'] == 1


def test_ignore_boxes_are_counted_in_the_log(root, capsys):
    from mmengine.logging import MMLogger
    MMLogger.get_instance('facedet_test', log_level='INFO')
    _dataset(root, GT_TXT, test_mode=True)
    out = capsys.readouterr()
    assert '2 faces kept as ignore boxes (1 marked invalid, 1 more' in (
        out.out + out.err)


@pytest.mark.parametrize('text,message', [
    ('0--Parade/p_1.jpg\nx\n', 'line 2: face count .x. is not an integer'),
    ('0--Parade/p_1.jpg\n', 'line 1: image 0--Parade/p_1.jpg has no face'),
    ('0--Parade/p_1.jpg\n2\n1 2 3 4 0 0 0 0 0 0\n',
     'line 2: 0--Parade/p_1.jpg announces 2 faces, the file ends after 1'),
    ('0--Parade/p_1.jpg\n1\n1 2 3\n', 'line 3: expected "x1 y1 w h'),
    ('0--Parade/p_1.jpg\n1\n1 2 a 4 0 0 0 0 0 0\n', 'line 3: non-numeric'),
    ('0--Parade/p_1.jpg\n1\n1 2 nan 4 0 0 0 0 0 0\n', 'line 3: NaN or inf'),
])
def test_bad_annotation_lines(root, text, message):
    with pytest.raises(ValueError, match=message) as info:
        _dataset(root, text)
    assert 'gt.txt' in str(info.value)


def test_tiny_config_trains_and_writes_predictions(repo_root, tmp_path):
    data = tmp_path / 'data' / 'widerface_tiny'
    names = [f'{e}/{e[:1]}_{i}.jpg' for e in ('0--Parade', '1--Handshaking')
             for i in range(2)]
    _images(data, names)
    block = '\n'.join(f'{n}\n1\n8 8 30 30 0 0 0 0 0 0' for n in names)
    (data / 'train_bbx_gt.txt').write_text(block + '\n')
    (data / 'val_bbx_gt.txt').write_text(block + '\n')
    cfg = str(repo_root / 'configs' / 'facedet' /
              'retinanet_tiny_widerface-txt.py')
    work = tmp_path / 'work'
    proc = subprocess.run([
        sys.executable, str(repo_root / 'tools' / 'train.py'), cfg,
        '--work-dir', str(work), '--cfg-options', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
        f'val_evaluator.pred_dir={tmp_path / "pred"}'
    ], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / 'iter_2.pth').is_file()
    scalars = [json.loads(line) for line in
               next(work.glob('*/vis_data/scalars.json')).read_text()
               .splitlines()]
    ap = [s['widerface/all'] for s in scalars if 'widerface/all' in s]
    assert len(ap) == 1
    assert sorted(p.name for p in (tmp_path / 'pred').iterdir()) == [
        '0--Parade', '1--Handshaking'
    ]
    files = sorted((tmp_path / 'pred').glob('*/*.txt'))
    assert len(files) == 4
    # the logged AP is the protocol's on the files the metric wrote (one
    # kept face per image, at 8 8 30 30)
    from projects.faceeval import widerface_pr_curves
    preds = []
    for path in files:
        lines = path.read_text().splitlines()
        assert lines[0] == path.stem and int(lines[1]) == len(lines) - 2
        preds.append(np.array([[float(v) for v in line.split()]
                               for line in lines[2:]]).reshape(-1, 5))
    faces = [np.array([[8., 8., 30., 30.]])] * 4
    expected = widerface_pr_curves(preds, faces,
                                   dict(all=[np.ones(1, bool)] * 4))
    assert ap[0] == pytest.approx(expected['all'].ap, abs=1e-6)


def test_filter_cfg_drops_and_counts_as_mmdet(root, monkeypatch):
    logged = []
    monkeypatch.setattr(face_base, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    # h_2 has no face, h_3 only an invalid one (an ignore box)
    kept = _dataset(root, GT_TXT, filter_cfg=dict(filter_empty_gt=True))
    assert [kept.get_data_info(i)['img_id']
            for i in range(len(kept))] == ['0--Parade/p_1']
    assert 'dropped 2 of 3 images (2 without a face' in logged[-1]
    # min_size is the image's shorter side, as in mmdet (p_1 is 72x64)
    with pytest.raises(ValueError,
                       match='3 with a side under 65 px.*none is left'):
        _dataset(root, GT_TXT, filter_cfg=dict(min_size=65))
    assert len(_dataset(root, GT_TXT, filter_cfg=dict(min_size=64))) == 3
    # evaluation keeps every image
    test = _dataset(root, GT_TXT, test_mode=True,
                    filter_cfg=dict(filter_empty_gt=True))
    assert len(test) == 3
    with pytest.raises(KeyError, match=r"\['min_area'\] are not supported"):
        _dataset(root, GT_TXT, filter_cfg=dict(min_area=4))
