# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ContentStyleDataset, the paper's train/test pipelines, the data
preprocessor and the demo image generator."""
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS, MODELS

import projects.manet  # noqa: F401

from ._reference import REPO, load_tool

BASE = REPO / 'configs/manet/_base_/style_transfer_coco-wikiart_160k.py'


def _generator():
    return load_tool('tools', 'misc', 'make_style_images.py')


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmpretrain')


@pytest.fixture(scope='module')
def folders(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('style_data')
    counts = _generator().write_images(
        str(root), num_content=3, num_style=2, num_test=2, size=40, seed=0)
    assert counts == {
        'train/content': 3,
        'train/style': 2,
        'test/content': 2,
        'test/style': 2
    }
    (root / 'train' / 'content' / 'notes.txt').write_text('not an image')
    return root


def _dataset(root, pipeline=None, **kwargs):
    cfg = dict(
        type='ContentStyleDataset',
        data_root=str(root),
        data_prefix=dict(content='train/content', style='train/style'),
        pipeline=pipeline or [dict(type='LoadImageFromFile')])
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_training_items_draw_styles_and_dis_images(folders):
    dataset = _dataset(folders, seed=3)
    assert len(dataset) == 3  # notes.txt skipped
    item = dataset[1]
    assert set(item['inputs']) == {'content', 'style', 'content1', 'style1'}
    assert item['inputs']['content'].shape == (3, 40, 40)
    assert item['inputs']['content'].dtype == torch.uint8
    meta = item['data_samples'].metainfo
    assert meta['content_path'].endswith('content_0001.png')
    assert 'train/style' in meta['style_path']
    # a fixed seed fixes each item's draws
    again = _dataset(folders, seed=3)[1]['data_samples'].metainfo
    assert again == meta
    # seed=None draws from NumPy's global generator at every fetch
    free = _dataset(folders)
    np.random.seed(5)
    first = [free[0]['data_samples'].style1_path for _ in range(6)]
    np.random.seed(5)
    assert [free[0]['data_samples'].style1_path for _ in range(6)] == first
    assert len(set(first)) == 2
    plain = _dataset(folders, with_dis_images=False)
    assert set(plain[0]['inputs']) == {'content', 'style'}


def test_test_mode_product_and_pair_list(folders, tmp_path):
    product = _dataset(folders, test_mode=True)
    assert len(product) == 6
    assert set(product[5]['inputs']) == {'content', 'style'}
    pairs = tmp_path / 'pairs.txt'
    pairs.write_text('# content style\ncontent_0002.png style_0000.png\n\n'
                     'content_0000.png style_0001.png  # second\n')
    listed = _dataset(folders, test_mode=True, ann_file=str(pairs))
    assert len(listed) == 2
    assert listed[1]['data_samples'].style_path.endswith('style_0001.png')
    pairs.write_text('content_0002.png\n')
    with pytest.raises(ValueError, match=r'pairs.txt:1: expected'):
        _dataset(folders, test_mode=True, ann_file=str(pairs))
    pairs.write_text('content_0002.png style_0000.png\n'
                     'content_0009.png style_0000.png\n')
    with pytest.raises(FileNotFoundError,
                       match=r'pairs.txt:2: content image .*content_0009'):
        _dataset(folders, test_mode=True, ann_file=str(pairs))


def test_bad_folders_and_images(folders, tmp_path):
    with pytest.raises(FileNotFoundError, match='style folder .*nowhere'):
        _dataset(folders, data_prefix=dict(content='train/content',
                                           style='nowhere'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ValueError, match='no images in content folder'):
        _dataset(tmp_path, data_prefix=dict(content='empty', style='empty'))
    with pytest.raises(KeyError, match='style'):
        _dataset(folders, data_prefix=dict(content='train/content'))
    broken = tmp_path / 'broken'
    for role in ('content', 'style'):
        (broken / role).mkdir(parents=True)
        cv2.imwrite(str(broken / role / 'ok.png'),
                    np.zeros((8, 8, 3), np.uint8))
    (broken / 'content' / 'bad.jpg').write_bytes(b'not a jpeg')
    dataset = _dataset(
        broken, data_prefix=dict(content='content', style='style'),
        test_mode=True)
    with pytest.raises(RuntimeError, match=r'cannot read image .*bad\.jpg'):
        dataset[0]
    (broken / 'content' / 'ok.png').unlink()
    with pytest.raises(RuntimeError, match=r'cannot read image .*ok\.png'):
        dataset[1]


def test_paper_pipelines(folders):
    cfg = Config.fromfile(str(BASE))
    train = _dataset(folders, pipeline=cfg.train_pipeline, seed=0)[0]
    for role, img in train['inputs'].items():
        assert img.shape == (3, 256, 256), role
    tall = folders / 'tall'
    for role in ('content', 'style'):
        (tall / role).mkdir(parents=True)
    image = np.tile(np.arange(60, dtype=np.uint8)[:, None, None],
                    (1, 30, 3))
    cv2.imwrite(str(tall / 'content' / 'a.png'), image)
    cv2.imwrite(str(tall / 'style' / 'b.png'), image[:30])
    test = _dataset(tall, pipeline=cfg.test_pipeline, test_mode=True,
                    data_prefix=dict(content='content', style='style'))[0]
    # shorter side -> 512 (60 x 30 -> 1024 x 512), then the centre 512
    assert test['inputs']['content'].shape == (3, 512, 512)
    assert test['inputs']['style'].shape == (3, 512, 512)
    rows = test['inputs']['content'][0, :, 0].float()
    assert 14 <= float(rows[0]) <= 16 and 44 <= float(rows[-1]) <= 46


def test_preprocessor_gives_rgb_in_unit_range():
    init_default_scope('mmpretrain')
    pre = MODELS.build(dict(type='StyleTransferDataPreprocessor'))
    bgr = torch.zeros(3, 2, 2, dtype=torch.uint8)
    bgr[0] = 255  # blue
    out = pre(dict(inputs=dict(content=[bgr, bgr], style=[bgr, bgr])))
    assert out['content'].shape == (2, 3, 2, 2)
    assert out['content'][:, 2].eq(1).all() and out['content'][:, :2].eq(
        0).all()
    assert 'content1' not in out and out['data_samples'] is None
    with pytest.raises(ValueError, match='differ in shape'):
        pre(dict(inputs=dict(content=[bgr, bgr[:, :1]], style=[bgr, bgr])))
    with pytest.raises(KeyError, match='content and style'):
        pre(dict(inputs=dict(content=[bgr])))


def test_generator_rejects_tiny_images():
    gen = _generator()
    rng = np.random.default_rng(0)
    assert gen.draw_style(32, rng).shape == (32, 32, 3)
    assert gen.draw_content(32, rng).dtype == np.uint8
    with pytest.raises(ValueError, match='--size'):
        gen.draw_content(8, rng)
