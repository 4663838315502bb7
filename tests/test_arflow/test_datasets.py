# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Datasets on tiny generated trees in each official layout; bad files."""
import os

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

from projects.arflow.datasets import (SINTEL_TRAIN_SCENES, write_flow,
                                      write_flow_kitti)

H, W = 8, 12


def _img(path, value=0, size=(H, W)):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    cv2.imwrite(str(path), np.full((*size, 3), value, np.uint8))


def _build(cfg):
    init_default_scope('mmseg')
    return DATASETS.build(cfg)


LOAD = [
    dict(type='LoadFlowFrames'),
    dict(type='LoadFlowAnnotations'),
    dict(type='PackFlowInputs')
]


@pytest.fixture
def sintel(tmp_path):
    root = tmp_path / 'Sintel'
    for scene in ('alley_1', 'alley_2'):  # alley_1 is an ARFlow train scene
        for i in range(1, 4):
            for pass_name in ('clean', 'final'):
                _img(root / 'training' / pass_name / scene /
                     f'frame_{i:04d}.png', i)
                _img(root / 'test' / pass_name / scene / f'frame_{i:04d}.png')
        for i in range(1, 3):
            write_flow(np.full((H, W, 2), i, np.float32),
                       str(root / 'training/flow' / scene /
                           f'frame_{i:04d}.flo'))
            occ = np.zeros((H, W), np.uint8)
            occ[0] = 255
            _img(root / 'training/occlusions' / scene / f'frame_{i:04d}.png')
            cv2.imwrite(str(root / 'training/occlusions' / scene /
                            f'frame_{i:04d}.png'), occ)
    return root


def test_sintel_passes_split_and_annotations(sintel):
    assert 'alley_1' in SINTEL_TRAIN_SCENES
    both = _build(dict(type='Sintel', data_root=str(sintel),
                       pass_style=('clean', 'final'), pipeline=LOAD))
    assert len(both) == 8
    train = _build(dict(type='Sintel', data_root=str(sintel),
                        subsplit='train', pipeline=LOAD))
    val = _build(dict(type='Sintel', data_root=str(sintel), subsplit='val',
                      pipeline=LOAD))
    assert len(train) == 2 and len(val) == 2
    assert all('alley_1' in train.get_data_info(i)['img_paths'][0]
               for i in range(len(train)))
    item = train[1]
    sample = item['data_samples']
    assert item['inputs']['imgs'].shape == (6, H, W)
    assert item['inputs']['imgs'][0, 0, 0] == 2  # frame_0002
    assert sample.gt_flow_fw.data.shape == (2, H, W)
    assert float(sample.gt_flow_fw.data[0, 0, 0]) == 2.0
    assert sample.gt_noc_fw.data[0, 0].sum() == 0
    assert sample.gt_noc_fw.data[0, 1:].all()
    assert sample.submission_path == 'clean/alley_1/frame_0002.flo'


def test_sintel_test_split_and_raw_shots(sintel):
    test = _build(dict(type='Sintel', data_root=str(sintel), split='test',
                       pass_style='final', pipeline=LOAD))
    assert len(test) == 4
    assert test.get_data_info(1)['submission_path'] == \
        'final/alley_1/frame_0002.flo'
    assert 'gt_flow_fw' not in test[0]['data_samples']
    raw = _build(dict(type='SintelRaw', data_root=str(sintel / 'training' /
                                                      'clean'),
                      n_frames=3, pipeline=[]))
    assert len(raw) == 2  # one 3-frame window per 3-frame shot


def test_sintel_missing_frame_and_size_mismatch(sintel):
    os.remove(sintel / 'training/clean/alley_2/frame_0003.png')
    with pytest.raises(FileNotFoundError, match='frame_0003.png'):
        _build(dict(type='Sintel', data_root=str(sintel), pipeline=LOAD))
    _img(sintel / 'training/clean/alley_2/frame_0003.png', size=(H, W + 1))
    ds = _build(dict(type='Sintel', data_root=str(sintel), pipeline=LOAD))
    with pytest.raises(ValueError, match='frame_0003.png.*differs'):
        ds[3]
    write_flow(np.zeros((H + 1, W, 2), np.float32),
               str(sintel / 'training/flow/alley_1/frame_0001.flo'))
    with pytest.raises(ValueError, match='frame_0001.flo.*differs'):
        ds[0]


def _kitti(root, img_dir, n=2):
    for sid in range(n):
        for frame in range(0, 21):
            for d in (img_dir, 'image_3'):
                _img(root / 'training' / d / f'{sid:06d}_{frame:02d}.png')
        flow = np.full((H, W, 2), 1.5)
        valid = np.ones((H, W))
        valid[0] = 0
        write_flow_kitti(flow, str(root / 'training/flow_occ' /
                                   f'{sid:06d}_10.png'), valid)
        noc = valid.copy()
        noc[1] = 0
        write_flow_kitti(flow, str(root / 'training/flow_noc' /
                                   f'{sid:06d}_10.png'), noc)
        for frame in (10, 11):
            _img(root / 'testing' / img_dir / f'{sid:06d}_{frame:02d}.png')


def test_kitti_2012_2015_and_submission_paths(tmp_path):
    _kitti(tmp_path / 'k15', 'image_2')
    _kitti(tmp_path / 'k12', 'colored_0')
    k15 = _build(dict(type='KITTI2015', data_root=str(tmp_path / 'k15'),
                      pipeline=LOAD))
    k12 = _build(dict(type='KITTI2012', data_root=str(tmp_path / 'k12'),
                      pipeline=LOAD))
    assert len(k15) == 2 and len(k12) == 2
    assert k12.get_data_info(0)['img_paths'][0].endswith(
        'colored_0/000000_10.png')
    sample = k15[1]['data_samples']
    assert sample.gt_valid_fw.data[0, 0].sum() == 0
    assert sample.gt_noc_fw.data[0, :2].sum() == 0
    assert float(sample.gt_flow_fw.data[0, 3, 3]) == 1.5
    assert sample.submission_path == 'flow/000001_10.png'
    test = _build(dict(type='KITTI2015', data_root=str(tmp_path / 'k15'),
                       split='testing', pipeline=LOAD))
    assert len(test) == 2
    three = _build(dict(type='KITTI2015', data_root=str(tmp_path / 'k15'),
                        n_frames=3, pipeline=[]))
    assert three.get_data_info(0)['img_paths'][0].endswith('000000_09.png')


def test_kitti_multiview_excludes_frames_9_to_12(tmp_path):
    _kitti(tmp_path, 'image_2', n=1)
    mv = _build(dict(type='KITTIMultiView', data_root=str(tmp_path),
                     pipeline=[]))
    # Frames 0-20: windows (i, i+1) without 9..12: 0-8 (8) + 13-20 (7),
    # for image_2 and image_3.
    assert len(mv) == 2 * 15
    frames = {
        p[-6:-4]
        for i in range(len(mv)) for p in mv.get_data_info(i)['img_paths']
    }
    assert not frames & {'09', '10', '11', '12'}


def test_kitti_raw_list_and_missing_frame(tmp_path):
    for name in ('a.png', 'b.png', 'c.png'):
        _img(tmp_path / 'raw' / name)
    (tmp_path / 'list.txt').write_text('raw/a.png raw/b.png\n\n'
                                       'raw/b.png raw/c.png\n')
    raw = _build(dict(type='KITTIRaw', data_root=str(tmp_path),
                      ann_file='list.txt', pipeline=LOAD))
    assert len(raw) == 2 and raw[0]['inputs']['imgs'].shape == (6, H, W)
    (tmp_path / 'bad.txt').write_text('raw/a.png raw/b.png\n'
                                      'raw/b.png raw/x.png\n')
    with pytest.raises(FileNotFoundError, match='bad.txt:2.*x.png'):
        _build(dict(type='KITTIRaw', data_root=str(tmp_path),
                    ann_file='bad.txt'))


def test_flying_chairs_split_and_bad_split_file(tmp_path):
    data = tmp_path / 'data'
    for i in range(1, 4):
        _img(data / f'{i:05d}_img1.ppm')
        _img(data / f'{i:05d}_img2.ppm')
        write_flow(np.zeros((H, W, 2), np.float32),
                   str(data / f'{i:05d}_flow.flo'))
    (tmp_path / 'split.txt').write_text('1\n2\n1\n')
    train = _build(dict(type='FlyingChairs', data_root=str(tmp_path),
                        split_file='split.txt', pipeline=LOAD))
    val = _build(dict(type='FlyingChairs', data_root=str(tmp_path),
                      split_file='split.txt', split='val', pipeline=LOAD))
    assert len(train) == 2 and len(val) == 1
    assert val.get_data_info(0)['img_paths'][0].endswith('00002_img1.ppm')
    assert val[0]['data_samples'].gt_flow_fw.data.shape == (2, H, W)
    (tmp_path / 'short.txt').write_text('1\n2\n')
    with pytest.raises(ValueError, match='short.txt: 2 lines but 3'):
        _build(dict(type='FlyingChairs', data_root=str(tmp_path),
                    split_file='short.txt'))
    (tmp_path / 'bad.txt').write_text('1\n3\n1\n')
    with pytest.raises(ValueError, match='bad.txt:2'):
        _build(dict(type='FlyingChairs', data_root=str(tmp_path),
                    split_file='bad.txt'))


def test_kitti_submission_through_tools_test(tmp_path):
    """tools/test.py with the KITTI 2015 test config writes the devkit
    layout (``flow/%06d_10.png``, 16-bit, full image size)."""
    import subprocess
    import sys
    from pathlib import Path

    import torch
    from mmseg.registry import MODELS

    from projects.arflow.datasets import read_flow_kitti
    repo = Path(__file__).resolve().parents[2]
    _kitti(tmp_path / 'k15', 'image_2', n=1)
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(dict(type='ARFlow', flow_net=dict(type='PWCLite'),
                              loss=dict(type='UnFlowLoss')))
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'm.pth')
    out = tmp_path / 'submission'
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run([
        sys.executable, 'tools/test.py',
        'configs/arflow/arflow_pwclite_kitti2015-test-384x640.py',
        str(tmp_path / 'm.pth'), '--work-dir', str(tmp_path / 'wd'),
        '--cfg-options', f'test_dataloader.dataset.data_root={tmp_path}/k15/',
        'test_dataloader.dataset.pipeline.1.scale=(64,64)',
        f'test_evaluator.output_dir={out}', 'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ], cwd=repo, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert sorted(p.name for p in (out / 'flow').iterdir()) == [
        '000000_10.png'
    ]
    flow, valid = read_flow_kitti(str(out / 'flow' / '000000_10.png'))
    assert flow.shape == (H, W, 2) and valid.all()
