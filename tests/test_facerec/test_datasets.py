# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Identity-folder, .bin pair and LFW pairs.txt datasets; the generator."""
import pickle

import numpy as np
import pytest
from mmengine.registry import init_default_scope

import projects.facerec  # noqa: F401
from mmpretrain.registry import DATASETS


def _build(**cfg):
    init_default_scope('mmpretrain')
    return DATASETS.build(cfg)


def test_generator_is_deterministic_and_varies_samples(face_generator):
    gen = face_generator
    a, b = gen.sample(3, 0, seed=0, size=32), gen.sample(3, 0, seed=0, size=32)
    assert a.shape == (32, 32, 3) and np.array_equal(a, b)
    other_sample = gen.sample(3, 1, seed=0, size=32).astype(float)
    other_id = gen.sample(4, 1, seed=0, size=32).astype(float)
    assert np.abs(other_sample - a).mean() > 1  # pose/light/noise vary
    assert np.abs(other_id - a).mean() > 1
    pairs = gen.make_pairs([0, 1, 2], 6, seed=0)
    assert [p[0] == p[2] for p in pairs] == [True, False] * 3
    with pytest.raises(ValueError, match='>= 2'):
        gen.make_pairs([0], 2, seed=0)


def test_identity_dataset(face_root):
    ds = _build(
        type='FaceIdentityDataset',
        data_root=str(face_root),
        data_prefix='train',
        pipeline=[dict(type='LoadImageFromFile')])
    assert len(ds) == 16 and len(ds.metainfo['classes']) == 4
    assert np.bincount(ds.get_gt_labels()).tolist() == [4, 4, 4, 4]
    assert ds[0]['img'].shape == (16, 16, 3)
    assert ds.num_skipped_files == 0


def test_identity_dataset_counts_skipped_files(tmp_path, face_generator):
    face_generator.write_train(str(tmp_path), 2, 2, seed=0, size=16)
    (tmp_path / 'train' / 'id00001' / 'notes.txt').write_text('x')
    ds = _build(
        type='FaceIdentityDataset',
        data_root=str(tmp_path),
        data_prefix='train')
    assert len(ds) == 4 and ds.num_skipped_files == 1


def test_bin_and_lfw_pair_datasets_agree(face_root):
    bin_ds = _build(
        type='FaceBinPairDataset', ann_file=str(face_root / 'val.bin'))
    lfw_ds = _build(
        type='LFWPairsDataset',
        ann_file=str(face_root / 'lfw' / 'pairs.txt'),
        data_root=str(face_root / 'lfw'),
        img_ext='.png',
        pipeline=[dict(type='LoadImageFromFile')])
    assert len(bin_ds) == len(lfw_ds) == 40
    assert bin_ds.metainfo['issame'] == lfw_ds.metainfo['issame'] == \
        [True, False] * 10
    for idx in (0, 7, 39):
        assert np.array_equal(bin_ds[idx]['img'], lfw_ds[idx]['img'])
    assert bin_ds[3]['img_shape'] == (16, 16)


def test_pair_datasets_bad_inputs(tmp_path, face_root):
    bad = tmp_path / 'odd.bin'
    images, issame = pickle.loads((face_root / 'val.bin').read_bytes())
    bad.write_bytes(pickle.dumps((images[:3], issame)))
    with pytest.raises(ValueError, match='odd.bin has 3 images for 20 pairs'):
        _build(type='FaceBinPairDataset', ann_file=str(bad))
    bad.write_bytes(pickle.dumps((images[:2], [True])))
    broken = tmp_path / 'broken.bin'
    broken.write_bytes(pickle.dumps(([b'not an image', images[1]], [True])))
    ds = _build(type='FaceBinPairDataset', ann_file=str(broken))
    with pytest.raises(ValueError, match='image 0 of .*cannot be decoded'):
        ds.get_data_info(0)
    pairs = tmp_path / 'pairs.txt'
    pairs.write_text('10 1\nperson00004 1 2\nperson00004 1\n')
    with pytest.raises(ValueError, match='line 3: expected 3 or 4 fields'):
        _build(
            type='LFWPairsDataset',
            ann_file=str(pairs),
            data_root=str(face_root / 'lfw'),
            img_ext='.png')
    pairs.write_text('person00004 1 99\n')
    with pytest.raises(FileNotFoundError, match='line 1: image .* not found'):
        _build(
            type='LFWPairsDataset',
            ann_file=str(pairs),
            data_root=str(face_root / 'lfw'),
            img_ext='.png')


def test_empty_pair_set_is_a_clear_error(tmp_path):
    empty = tmp_path / 'empty.bin'
    empty.write_bytes(pickle.dumps(([], [])))
    with pytest.raises(ValueError, match='empty.bin holds no pairs'):
        _build(type='FaceBinPairDataset', ann_file=str(empty))
