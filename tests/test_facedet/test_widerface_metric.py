# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""WiderFaceMetric, the official .mat ground truth and prediction files,
and ``tools/eval_widerface.py``."""

import sys

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from scipy.io import savemat

from projects.facedet.evaluation import WiderFaceMetric
from projects.faceeval import (load_widerface_gt, read_prediction_dir,
                               read_prediction_file, write_prediction_file)


def _sample(img_path, pred_xyxy, scores, gt_xyxy=(), ignored_xyxy=()):
    def boxes(b):
        return torch.tensor(b, dtype=torch.float32).reshape(-1, 4)

    return dict(
        img_path=img_path,
        pred_instances=dict(
            bboxes=boxes(pred_xyxy), scores=torch.tensor(scores)),
        gt_instances=dict(bboxes=boxes(gt_xyxy)),
        ignored_instances=dict(bboxes=boxes(ignored_xyxy)))


def test_metric_on_dataset_annotations(tmp_path):
    init_default_scope('mmdet')
    metric = WiderFaceMetric(pred_dir=str(tmp_path / 'pred'))
    # Same case as the protocol test (x2 = x + w): AP 0.75.
    metric.process({}, [
        _sample('images/0--Parade/a.jpg',
                [[0, 0, 10, 10], [40, 0, 50, 10], [0, 0, 10, 10],
                 [100, 100, 110, 110], [20, 0, 30, 10], [200, 200, 210, 210]],
                [0.9, 0.95, 0.8, 0.7, 0.6, 0.5],
                gt_xyxy=[[0, 0, 10, 10], [20, 0, 30, 10]],
                ignored_xyxy=[[40, 0, 50, 10]]),
        _sample('images/1--Handshaking/b.png', [], [], gt_xyxy=[]),
    ])
    assert metric.evaluate(2) == {'widerface/all': pytest.approx(0.75)}
    name, boxes = read_prediction_file(
        str(tmp_path / 'pred' / '0--Parade' / 'a.txt'))
    assert name == 'a' and boxes.shape == (6, 5)
    np.testing.assert_allclose(boxes[1], [40, 0, 10, 10, 0.95], atol=1e-6)
    assert read_prediction_file(
        str(tmp_path / 'pred' / '1--Handshaking' / 'b.txt'))[1].shape == (0,
                                                                          5)


def test_metric_arguments_are_checked():
    with pytest.raises(ValueError, match='iou_thr'):
        WiderFaceMetric(iou_thr=0)
    with pytest.raises(ValueError, match='num_thresholds'):
        WiderFaceMetric(num_thresholds=0)


@pytest.mark.parametrize('lines,message', [
    (['a', 'two', '1 2 3 4 0.5'], 'line 2: count .two. is not an integer'),
    (['a', '2', '1 2 3 4 0.5'], 'line 2: count says 2 boxes, the file has 1'),
    (['a', '1', '1 2 x 4 0.5'], 'line 3: non-numeric value'),
    (['a', '1', '1 2 3 4 nan'], 'line 3: NaN or infinite'),
    (['a', '1', '1 2 3 4'], 'line 3: expected "x y w h score"'),
    (['a', '5'] + ['1 2 3 4'] * 5, 'line 3: expected "x y w h score"'),
    (['a', '2', '1 2 3 4 0.5 7', '1 2 3 4'], 'line 4: expected "x y w h'),
    (['a'], 'expected an image name line and a count line'),
])
def test_bad_prediction_files_name_file_and_line(tmp_path, lines, message):
    path = tmp_path / 'a.txt'
    path.write_text('\n'.join(lines) + '\n')
    with pytest.raises(ValueError, match=message) as info:
        read_prediction_file(str(path))
    assert str(path) in str(info.value)


def _cell(items):
    cell = np.empty((len(items), 1), dtype=object)
    for i, item in enumerate(items):
        cell[i, 0] = item
    return cell


def _write_mat(folder, keep_index, with_files=True):
    """Two events with one image each, in the official .mat layout."""
    boxes = [np.array([[0, 0, 10, 10], [20, 0, 10, 10]], np.int32),
             np.array([[5, 5, 8, 8]], np.int32)]
    gt = dict(
        event_list=_cell(['0--Parade', '1--Handshaking']),
        face_bbx_list=_cell([_cell([b]) for b in boxes]))
    if with_files:
        gt['file_list'] = _cell([_cell(['p_1']), _cell(['h_2'])])
    savemat(str(folder / 'wider_face_val.mat'), gt)
    for setting in ('easy', 'medium', 'hard'):
        savemat(
            str(folder / f'wider_{setting}_val.mat'),
            dict(gt_list=_cell([
                _cell([np.array(k, np.uint8).reshape(-1, 1)])
                for k in keep_index
            ])))


def test_official_layout_and_missing_predictions(tmp_path):
    _write_mat(tmp_path, [[1], [1]])
    gt = load_widerface_gt(str(tmp_path))
    assert (gt.events, gt.names) == (['0--Parade', '1--Handshaking'],
                                     ['p_1', 'h_2'])
    np.testing.assert_array_equal(gt.keep['easy'][0], [True, False])
    pred_dir = tmp_path / 'pred'
    write_prediction_file(str(pred_dir), '0--Parade', 'p_1',
                          np.array([[0, 0, 10, 10, 0.9],
                                    [20, 0, 10, 10, 0.2]]))
    preds, missing = read_prediction_dir(str(pred_dir), gt)
    assert missing == 1 and preds[1] is None
    # Face 2 of image 1 is ignored; the face of image 2 is never found.
    metric = WiderFaceMetric(gt_dir=str(tmp_path))
    metric.process({}, [
        _sample('x/0--Parade/p_1.jpg', [[0, 0, 10, 10], [20, 0, 30, 10]],
                [0.9, 0.2])
    ])
    assert metric.evaluate(1) == {
        f'widerface/{s}': pytest.approx(0.5)
        for s in ('easy', 'medium', 'hard')
    }


def test_bad_ground_truth_layout(tmp_path):
    _write_mat(tmp_path, [[1], [3]])
    with pytest.raises(ValueError, match='index out of 1..1'):
        load_widerface_gt(str(tmp_path))
    _write_mat(tmp_path, [[1], [1]], with_files=False)
    with pytest.raises(ValueError, match='field "file_list" missing'):
        load_widerface_gt(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='wider_face_val.mat'):
        load_widerface_gt(str(tmp_path / 'nowhere'))


def test_full_val_ground_truth(shared_data):
    gt = load_widerface_gt(str(shared_data / 'widerface'))
    assert len(gt.names) == 3226
    assert sum(len(b) for b in gt.boxes) == 39708
    counts = {s: sum(int(m.sum()) for m in gt.keep[s]) for s in gt.keep}
    assert counts['easy'] < counts['medium'] < counts['hard']
    # Hard keeps every Medium face, Medium every Easy face.
    for e, m, h in zip(gt.keep['easy'], gt.keep['medium'], gt.keep['hard']):
        assert not (e & ~m).any() and not (m & ~h).any()
    # Every face predicted exactly: AP 1 but for the val set's own
    # oddities (a duplicated box, a box of negative width: their exact
    # copies do not recall them).
    rng = np.random.default_rng(0)
    metric = WiderFaceMetric(gt_dir=str(shared_data / 'widerface'))
    metric.results = [
        dict(event=e, name=n,
             pred=np.hstack([b, rng.uniform(0.1, 1, (len(b), 1))]))
        for e, n, b in zip(gt.events, gt.names, gt.boxes)
    ]
    aps = metric.compute_metrics(metric.results)
    assert sorted(aps) == ['easy', 'hard', 'medium']
    assert all(0.9995 < ap <= 1 for ap in aps.values())
    # Without the predictions of event 0 its faces are missed.
    metric.results = [r for r in metric.results if r['event'] != '0--Parade']
    hard = metric.compute_metrics(metric.results)['hard']
    parade = sum(int(m.sum()) for e, m in zip(gt.events, gt.keep['hard'])
                 if e == '0--Parade')
    assert hard == pytest.approx(1 - parade / counts['hard'], abs=2e-4)


def test_eval_widerface_tool(repo_root, tmp_path, monkeypatch, capsys):
    import importlib.util
    import json
    spec = importlib.util.spec_from_file_location(
        'eval_widerface', repo_root / 'tools' / 'eval_widerface.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    _write_mat(tmp_path, [[1, 2], [1]])
    pred = tmp_path / 'pred'
    # Image 1: both faces found (one FP between them); image 2: no file.
    write_prediction_file(str(pred), '0--Parade', 'p_1',
                          np.array([[0, 0, 10, 10, 0.9],
                                    [90, 90, 10, 10, 0.5],
                                    [20, 0, 10, 10, 0.1]]))
    out_json, png = tmp_path / 'ap.json', tmp_path / 'pr.png'
    monkeypatch.setattr(sys, 'argv', [
        'eval_widerface.py', '--pred', str(pred), '--gt', str(tmp_path),
        '--out-json', str(out_json), '--plot', str(png)
    ])
    tool.main()
    assert '1 of 2 images have no prediction file' in capsys.readouterr().out
    # 3 faces: TP (P=1, R=1/3), FP, TP (P=2/3, R=2/3).
    expected = 1 / 3 + 1 / 3 * 2 / 3
    assert json.loads(out_json.read_text()) == {
        s: pytest.approx(expected) for s in ('easy', 'medium', 'hard')
    }
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_eval_widerface_tool_imports_no_torch_or_toolbox(tmp_path,
                                                          fresh_python):
    """The whole command in a fresh interpreter: torch, mmengine, mmdet and
    mmcv stay unimported; equal scores warn on stderr without mmengine."""
    _write_mat(tmp_path, [[1, 2], [1]])
    pred = tmp_path / 'pred'
    write_prediction_file(str(pred), '0--Parade', 'p_1',
                          np.array([[0, 0, 10, 10, 0.5],
                                    [20, 0, 10, 10, 0.5]]))
    proc = fresh_python(
        'import runpy, sys\n'
        f"sys.argv = ['eval_widerface.py', '--pred', {str(pred)!r}, "
        f"'--gt', {str(tmp_path)!r}]\n"
        "runpy.run_path('tools/eval_widerface.py', run_name='__main__')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'torch', 'mmengine', 'mmdet', 'mmcv'}))")
    lines = proc.stdout.splitlines()
    assert lines[-1] == '[]'
    # both faces of image 1 found, the face of image 2 missed
    assert '  easy AP: 0.6667' in lines
    assert 'every prediction has the score 0.5' in proc.stderr


def test_configs_importing_facedet_register_its_modules(repo_root,
                                                        fresh_python):
    """Every config that loads ``projects.facedet`` through custom_imports
    registers all its datasets and metrics (fresh interpreter)."""
    configs = sorted(
        str(p.relative_to(repo_root))
        for p in (repo_root / 'configs').rglob('*.py')
        if "'projects.facedet'" in p.read_text())
    assert configs
    proc = fresh_python(
        'from mmengine.config import Config\n'
        f'for path in {configs!r}:\n'
        '    Config.fromfile(path)\n'
        'from mmdet.registry import DATASETS, METRICS\n'
        'for registry in (DATASETS, METRICS):\n'
        "    print(sorted(n for n, c in registry.module_dict.items()\n"
        "                 if c.__module__.startswith('projects.facedet')))")
    assert proc.stdout.splitlines()[-2:] == [
        "['FDDBDataset', 'ICartoonFaceDataset', 'WiderFaceTxtDataset']",
        "['FDDBMetric', 'ICartoonFaceMetric', 'WiderFaceMetric']"
    ]
