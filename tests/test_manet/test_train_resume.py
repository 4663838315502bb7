# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The demo config trains through tools/train.py, resumes exactly (weights,
Adam states, scheduler), tests through tools/test.py with the images
dumped, and tools/style_transfer.py writes results and the grid."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.manet  # noqa: F401

from ._reference import REPO, load_tool

MANET = 'configs/manet/manet_vgg19-quarter_1xb4-200it_style-demo.py'
ADAIN = 'configs/manet/adain_vgg19-quarter_1xb4-200it_style-demo.py'
TINY = ['model.encoder.widths=[4,4,8,8,8]', 'model.decoder.widths=[4,4,8,8]']


@pytest.fixture(scope='module')
def data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('style_images')
    load_tool('tools', 'misc', 'make_style_images.py').write_images(
        str(root), num_content=4, num_style=3, num_test=1, size=40, seed=0)
    return root


def _options(data: Path, cfg: str) -> list:
    options = [
        f'{loader}.dataset.data_root={data}/'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
    ] + TINY + [
        'train_dataloader.batch_size=2', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=10', 'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1',
        'train_dataloader.dataset.pipeline.1.scale=[48,48]',
        'train_dataloader.dataset.pipeline.2.crop_size=32'
    ]
    if cfg == MANET:
        options.append('model.ma_module.in_channels=8')
    return options


def _run(tool: str, cfg: str, data: Path, *args: str, options=()) -> str:
    # one thread: faster for these tiny models, and no oversubscription
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [sys.executable, tool, cfg, *args, '--cfg-options',
         *_options(data, cfg), *options],
        cwd=REPO, env=env, capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _checkpoint(path: Path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


def _assert_equal(got, expected, where='') -> None:
    if isinstance(expected, torch.Tensor):
        assert torch.equal(got, expected), where
    elif isinstance(expected, dict):
        assert set(got) == set(expected), where
        for key in expected:
            _assert_equal(got[key], expected[key], f'{where}.{key}')
    elif isinstance(expected, (list, tuple)):
        assert len(got) == len(expected), where
        for i, (a, b) in enumerate(zip(got, expected)):
            _assert_equal(a, b, f'{where}[{i}]')
    else:
        assert got == expected, where


@pytest.fixture(scope='module')
def manet_run(tmp_path_factory, data) -> dict:
    work = tmp_path_factory.mktemp('manet_straight')
    logs = _run('tools/train.py', MANET, data, '--work-dir', str(work))
    return dict(work=work, logs=logs)


def test_demo_trains_and_resumes_exactly(tmp_path, data, manet_run):
    logs, straight = manet_run['logs'], manet_run['work']
    for key in ('loss_identity1', 'loss_dis_style', 'dis_gate'):
        assert key in logs, key
    final = _checkpoint(straight / 'iter_2.pth')
    first = _checkpoint(straight / 'iter_1.pth')
    assert not torch.equal(first['state_dict']['decoder.layers.0.conv.weight'],
                           final['state_dict']['decoder.layers.0.conv.weight'])
    # the frozen encoder did not move
    assert torch.equal(first['state_dict']['encoder.normalise.weight'],
                       final['state_dict']['encoder.normalise.weight'])
    adam = final['optimizer']['state']
    assert adam and all(int(s['step']) == 2 for s in adam.values())
    # iteration i (from 0) trains with 1e-4 / (1 + 5e-5 i)
    lr = first['optimizer']['param_groups'][0]['lr']
    assert lr == 1e-4 / (1 + 5e-5 * 1)
    resumed = tmp_path / 'resumed'
    resumed.mkdir()
    shutil.copy(straight / 'iter_1.pth', resumed / 'iter_1.pth')
    _run('tools/train.py', MANET, data, '--work-dir', str(resumed),
         '--resume', str(resumed / 'iter_1.pth'))
    again = _checkpoint(resumed / 'iter_2.pth')
    _assert_equal(again['state_dict'], final['state_dict'], 'state_dict')
    _assert_equal(again['optimizer'], final['optimizer'], 'optimizer')
    _assert_equal(again['param_schedulers'], final['param_schedulers'],
                  'param_schedulers')


def test_test_tool_dumps_and_style_transfer_tool(tmp_path, data, manet_run):
    checkpoint = manet_run['work'] / 'iter_2.pth'
    dump = tmp_path / 'dump'
    logs = _run('tools/test.py', MANET, data, str(checkpoint), '--work-dir',
                str(tmp_path / 'test'),
                options=['test_evaluator.dump_dir=' + str(dump)])
    for key in ('style_transfer/content_loss', 'style_transfer/style_loss',
                'style_transfer/images_per_second'):
        assert key in logs, key
    assert [p.name for p in dump.iterdir()
            ] == ['content_0000_stylized_style_0000.png']
    tool = load_tool('tools', 'style_transfer.py')
    tiny_cfg = tmp_path / 'manet_tiny.py'
    tiny_cfg.write_text(
        f"_base_ = ['{REPO / MANET}']\n"
        "model = dict(encoder=dict(widths=(4, 4, 8, 8, 8)), "
        "ma_module=dict(in_channels=8), decoder=dict(widths=(4, 4, 8, 8)))\n")
    adain_cfg = tmp_path / 'adain_tiny.py'
    adain_cfg.write_text(
        f"_base_ = ['{REPO / ADAIN}']\n"
        "model = dict(encoder=dict(widths=(4, 4, 8, 8, 8)), "
        "decoder=dict(widths=(4, 4, 8, 8)))\n")
    # an (untrained) AdaIN checkpoint of the same tiny size for the grid
    init_default_scope('mmpretrain')
    adain = MODELS.build(Config.fromfile(str(adain_cfg)).model)
    adain_checkpoint = tmp_path / 'adain.pth'
    torch.save(dict(state_dict=adain.state_dict()), adain_checkpoint)
    styles = sorted(str(p) for p in (data / 'train' / 'style').iterdir())
    out = tmp_path / 'out'
    written = tool.main([
        str(tiny_cfg), str(checkpoint), '--content',
        str(data / 'test' / 'content'), '--style', *styles[:2], '--out',
        str(out), '--compare', str(adain_cfg),
        str(adain_checkpoint)
    ])
    assert sorted(Path(p).name for p in written) == [
        'content_0000_stylized_style_0000.png',
        'content_0000_stylized_style_0001.png', 'grid.png'
    ]
    assert cv2.imread(str(out / 'content_0000_stylized_style_0000.png')
                      ).shape == (64, 64, 3)
    grid = cv2.imread(str(out / 'grid.png'))
    assert grid.shape == (2 * 68 + 4, 4 * 68 + 4, 3)  # content|style|2 models
    mixed = tool.main([
        str(tiny_cfg), str(checkpoint), '--content',
        str(data / 'test' / 'content' / 'content_0000.png'), '--style',
        *styles[:2], '--style-weights', '1', '3', '--alpha', '0.5', '--out',
        str(out / 'mixed')
    ])
    assert Path(mixed[0]).name == 'content_0000_interpolation.png'
    with pytest.raises(FileNotFoundError, match='nowhere.png'):
        tool.main([
            str(tiny_cfg), str(checkpoint), '--content',
            str(tmp_path / 'nowhere.png'), '--style', styles[0], '--out',
            str(out)
        ])
