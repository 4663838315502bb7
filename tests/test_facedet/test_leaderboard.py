# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Leaderboard rows and tools/leaderboard.py on hand-made work dirs."""
import importlib.util
import json
import sys

import pytest
import torch

from projects.facedet.leaderboard import (format_markdown, latest_metrics,
                                          leaderboard_row, model_complexity)


def _work_dir(root, name, val, test=None, stamp='20260101_000000'):
    run = root / name / stamp
    (run / 'vis_data').mkdir(parents=True)
    (run / 'vis_data' / 'scalars.json').write_text('\n'.join(
        json.dumps(r) for r in [{'loss': 1.0, 'iter': 1}, *val]) + '\n')
    if test is not None:
        (run / f'{stamp}.json').write_text(json.dumps(test))
    return root / name


def test_latest_metrics_prefers_the_last_record(tmp_path):
    work = _work_dir(tmp_path, 'a', [{'widerface/hard': 0.1, 'step': 2},
                                     {'widerface/hard': 0.2, 'step': 4}])
    assert latest_metrics(str(work)) == {'widerface/hard': 0.2}
    work = _work_dir(tmp_path, 'b', [{'widerface/hard': 0.2}],
                     test={'widerface/hard': 0.3})
    assert latest_metrics(str(work)) == {'widerface/hard': 0.3}
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no evaluation metrics'):
        latest_metrics(str(tmp_path / 'empty'))


def test_a_newer_validation_beats_an_older_test_result(tmp_path):
    _work_dir(tmp_path, 'a', [{'widerface/hard': 0.2}],
              test={'widerface/hard': 0.3})
    work = _work_dir(tmp_path, 'a', [{'widerface/hard': 0.5}],
                     stamp='20260102_000000')
    assert latest_metrics(str(work)) == {'widerface/hard': 0.5}


def test_complexity_by_hand():
    conv = torch.nn.Conv2d(3, 4, 3, padding=1, bias=False)
    params, gflops = model_complexity(conv, (8, 8))
    # 4 * 3 * 3 * 3 weights, one multiply-add per weight per output pixel.
    assert params == pytest.approx(108e-6)
    assert gflops == pytest.approx(108 * 64 / 1e9)
    row = leaderboard_row('conv', {'m/AP': 0.5}, conv, (8, 8))
    assert row['params (M)'] == pytest.approx(108e-6)
    assert row['GFLOPs@8x8'] == pytest.approx(108 * 64 / 1e9)


def test_markdown_is_sorted_best_first():
    table = format_markdown([dict(name='a', ap=0.25), dict(name='b', ap=0.75),
                             dict(name='c')], sort_key='ap').splitlines()
    assert table[0] == '| name | ap |'
    assert [line.split()[1] for line in table[2:]] == ['b', 'a', 'c']
    assert '0.7500' in table[2]


def test_tool_prints_and_writes_the_table(repo_root, tmp_path, monkeypatch,
                                          capsys):
    spec = importlib.util.spec_from_file_location(
        'leaderboard_tool', repo_root / 'tools' / 'leaderboard.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    a = _work_dir(tmp_path, 'run_a', [{'widerface/hard': 0.4}])
    b = _work_dir(tmp_path, 'run_b', [{'widerface/hard': 0.6}])
    out = tmp_path / 'board.md'
    monkeypatch.setattr(sys, 'argv', [
        'leaderboard.py', str(a), str(b), '--sort-key', 'widerface/hard',
        '--out', str(out)
    ])
    tool.main()
    lines = out.read_text().splitlines()
    assert lines[2].startswith('| run_b | 0.6000')
    assert lines[3].startswith('| run_a | 0.4000')
    assert 'run_b' in capsys.readouterr().out


def test_tool_sizes_models_from_their_dumped_configs(repo_root, tmp_path,
                                                     monkeypatch):
    spec = importlib.util.spec_from_file_location(
        'leaderboard_tool', repo_root / 'tools' / 'leaderboard.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    work = _work_dir(tmp_path, 'conv_run', [{'widerface/hard': 0.5}])
    # the config mmengine dumps into the work dir: a 3 -> 64 channel 3x3 conv
    (work / 'conv_run.py').write_text(
        "default_scope = 'mmdet'\n"
        "model = dict(type='Conv2d', in_channels=3, out_channels=64, "
        'kernel_size=3, padding=1, bias=False)\n')
    out = tmp_path / 'board.md'
    monkeypatch.setattr(sys, 'argv', [
        'leaderboard.py', str(work), '--input-size', '64', '48', '--out',
        str(out)
    ])
    tool.main()
    header, _, row = out.read_text().splitlines()
    assert header == '| name | widerface/hard | params (M) | GFLOPs@64x48 |'
    cells = [c.strip() for c in row.strip('|').split('|')]
    # 1728 weights, one multiply-add each per output pixel (64 x 48)
    assert cells == ['conv_run', '0.5000', '0.0017', '0.0053']
