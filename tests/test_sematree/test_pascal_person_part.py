# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""PascalPersonPartDataset reads the layout the config describes
(JPEGImages/*.jpg, SegmentationPart/*.png, {train,val}_id.txt), from a tiny
generated tree."""
import copy

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

import projects.sematree  # noqa: F401

CFG = 'configs/sematree/sematree_r101-d16_4xb6-150e_pascal-person-part-' \
    '384x384.py'


def _write_tree(root):
    rng = np.random.default_rng(0)
    (root / 'JPEGImages').mkdir(parents=True)
    (root / 'SegmentationPart').mkdir()
    labels = {}
    for name, (h, w) in dict(a=(40, 30), b=(24, 36), c=(32, 32)).items():
        cv2.imwrite(str(root / 'JPEGImages' / f'{name}.jpg'),
                    rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
        label = rng.integers(0, 7, (h, w)).astype(np.uint8)
        label[0, :] = 255  # ignored
        cv2.imwrite(str(root / 'SegmentationPart' / f'{name}.png'), label)
        labels[name] = label
    (root / 'train_id.txt').write_text('b\na\n')
    (root / 'val_id.txt').write_text('c\n')
    return labels


def test_dataset_reads_the_generated_tree(repo_root, tmp_path):
    init_default_scope('mmseg')
    labels = _write_tree(tmp_path)
    cfg = Config.fromfile(str(repo_root / CFG))
    train_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    train_cfg.data_root = str(tmp_path)
    train_cfg.pipeline = train_cfg.pipeline[:2]  # load image and labels
    train = DATASETS.build(train_cfg)
    assert train.metainfo['classes'][0] == 'Background'
    assert len(train.metainfo['classes']) == 7
    assert len(train) == 2
    for index, name in enumerate(['b', 'a']):  # the id file's order
        item = train[index]
        assert item['img_path'].endswith(f'JPEGImages/{name}.jpg')
        assert item['img'].shape == labels[name].shape + (3, )
        # ids 0-6 and 255 as written: no label reduction or mapping
        np.testing.assert_array_equal(item['gt_seg_map'], labels[name])

    val_cfg = copy.deepcopy(cfg.val_dataloader.dataset)
    val_cfg.data_root = str(tmp_path)
    val = DATASETS.build(val_cfg)  # the config's test pipeline
    assert len(val) == 1
    sample = val[0]
    assert sample['inputs'].shape == (3, 384, 384)
    # labels load after the resize (mmseg evaluates at the original size)
    np.testing.assert_array_equal(
        sample['data_samples'].gt_sem_seg.data[0].numpy(), labels['c'])
