# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""tools/analysis/nad_{search,hit_rate,similarity}.py over a config and a
checkpoint: outputs, pictures, progress and clear errors."""
import importlib.util
import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.nad  # noqa: F401
from projects.nad import load_epoch, saved_epochs
from projects.nad.analysis_utils import parse_classes

REPO = Path(__file__).resolve().parents[2]
CFG = str(REPO / 'configs/nad/nad_resnet18-tiny_shapes-demo.py')


def _tool(name: str):
    path = REPO / 'tools' / 'analysis' / f'{name}.py'
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _data(shapes: Path) -> list:
    return [
        f'{loader}.dataset.data_root={shapes}/'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory) -> str:
    """The demo network, randomly initialised, as a checkpoint."""
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(CFG)
    torch.manual_seed(0)
    model = MODELS.build(
        dict(cfg.model, data_preprocessor=cfg.data_preprocessor))
    model.init_weights()
    path = tmp_path_factory.mktemp('ckpt') / 'random.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return str(path)


def test_parse_classes():
    assert parse_classes('0-3') == [0, 1, 2, 3]
    assert parse_classes('5,1-2,5') == [5, 1, 2]
    for bad in ('a', '3-1', '', '-2'):
        with pytest.raises(ValueError, match='--classes'):
            parse_classes(bad)


def test_search_hit_rate_and_similarity_tools(tmp_path, shapes, checkpoint):
    paths = tmp_path / 'paths'
    _tool('nad_search').main([
        CFG, checkpoint, '--classes', '0-3', '--work-dir',
        str(paths), '--epochs', '2', '--batch-size', '4', '--cfg-options',
        *_data(shapes)
    ])
    for c in range(4):
        assert saved_epochs(str(paths), c) == [0, 1, 2]
    record = load_epoch(str(paths / 'class_00002' / 'epoch_002.pth'))
    assert record['settings'] == dict(
        beta=1.0,
        lr=0.1,
        epochs=2,
        batch_size=4,
        seed=233,
        positions=Config.fromfile(CFG).nad['positions'])
    log = next(paths.glob('**/nad_search.log')).read_text()
    assert 'class 3 (4/4)' in log and 'epoch 2/2' in log

    hit = _tool('nad_hit_rate').main([
        CFG, checkpoint,
        str(paths), '--epoch', '2', '--num', '3', '--input-size', '64',
        '--tile', '32', '--seed', '1', '--cfg-options', *_data(shapes)
    ])
    assert len(hit['mean']) == len(hit['std']) == 7
    assert len(hit['mosaics']) == 3 and hit['rate'] == 0.1
    saved = json.loads((paths / 'hit_rate' / 'hit_rate.json').read_text())
    assert saved['mean'] == hit['mean']
    assert (paths / 'hit_rate' / 'mosaic_000.png').stat().st_size > 0

    sim = _tool('nad_similarity').main([
        CFG, checkpoint,
        str(paths), '--epoch', '2', '--topk', '2', '--draw-classes', '0', '3',
        '--cfg-options', *_data(shapes)
    ])
    assert sim['classes'] == [0, 1, 2, 3]
    assert len(sim['layer_jaccard']) == 7
    assert all(len(v) == 2 for v in sim['most_similar'].values())
    assert set(sim['prediction_overlap']['per_class']) <= {0, 1, 2, 3}
    assert 0 <= sim['prediction_overlap']['chance'] <= 1
    mis = sim['misclassification']
    assert mis['images'] == 12 and mis['chance'] == pytest.approx(2 / 3)
    assert (paths / 'similarity' / 'path_diagram.png').stat().st_size > 0

    with pytest.raises(ValueError, match='no path'):
        _tool('nad_similarity').main([
            CFG, checkpoint,
            str(paths), '--epoch', '2', '--draw-classes', '7', '--cfg-options',
            *_data(shapes)
        ])
    with pytest.raises(FileNotFoundError, match='epoch 5'):
        _tool('nad_hit_rate').main([
            CFG, checkpoint,
            str(paths), '--epoch', '5', '--cfg-options', *_data(shapes)
        ])
