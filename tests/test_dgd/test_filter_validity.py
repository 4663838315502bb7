# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""tools/analysis/filter_validity.py: counts, entropy, table, plot, errors."""
import importlib.util
from pathlib import Path

import pytest
import torch

from projects.dgd import weight_entropy

TOOL = Path(__file__).resolve().parents[2] / 'tools' / 'analysis' / \
    'filter_validity.py'


def _tool():
    spec = importlib.util.spec_from_file_location('filter_validity', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _state() -> dict:
    conv = torch.zeros(3, 2, 1, 1)
    conv[0] = 0.04  # L1 = 0.08 < 0.1: invalid
    conv[1, 0] = -0.2  # L1 = 0.2: valid
    conv[2] = 0.01  # L1 = 0.02: invalid
    return {
        'conv.weight': conv,
        'bn.weight': torch.zeros(3),
        'fc.weight': torch.zeros(4, 3)
    }


def test_counts_invalid_filters_by_hand(tmp_path, capsys):
    tool = _tool()
    rows = tool.filter_validity(_state(), threshold=0.1)
    assert rows == [
        dict(layer='conv',
             filters=3,
             invalid=2,
             entropy=weight_entropy(_state()['conv.weight']))
    ]
    assert tool.filter_validity(_state(), threshold=0.01)[0]['invalid'] == 0
    ckpt = tmp_path / 'a.pth'
    torch.save({'state_dict': _state()}, ckpt)
    png = tmp_path / 'v.png'
    tool.main([str(ckpt), str(ckpt), '--plot', str(png)])
    out = capsys.readouterr().out
    assert 'conv | 2/3 |' in out and 'total invalid | 2/3 | 2/3' in out
    assert png.stat().st_size > 1000


def test_1d_convs_are_rows_too_as_grafting_treats_them():
    conv1d = torch.zeros(2, 3, 5)
    conv1d[1] = 1.0  # L1 = 15: valid; filter 0 is all zeros
    rows = _tool().filter_validity({'temporal.weight': conv1d})
    assert [(r['layer'], r['filters'], r['invalid']) for r in rows] == [
        ('temporal', 2, 1)
    ]


def test_one_peer_per_rank_lists_every_ranks_peer(tmp_path):
    tool = _tool()
    ckpt = tmp_path / 'per_rank.pth'
    state = {f'peers.0.{k}': v for k, v in _state().items()}
    other = {k: v * 10 for k, v in _state().items()}
    torch.save(
        dict(state_dict=state,
             dgd_rank_states=[dict(peer=_state()),
                              dict(peer=other)]), ckpt)
    rows = tool.filter_validity(tool.load_state_dict(str(ckpt)))
    assert [(r['layer'], r['invalid']) for r in rows] == [
        ('peers.0.conv', 2), ('peers.1.conv', 0)
    ]


def test_bad_inputs(tmp_path):
    tool = _tool()
    with pytest.raises(FileNotFoundError, match='no checkpoint'):
        tool.load_state_dict(str(tmp_path / 'missing.pth'))
    bad = tmp_path / 'bad.pth'
    torch.save([1, 2], bad)
    with pytest.raises(ValueError, match='no state_dict'):
        tool.load_state_dict(str(bad))
    assert tool.filter_validity({}) == []
