# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MPD names, the subject-disjoint split, pair protocols and the matching
datasets."""
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from projects.deepmpv.datasets import (Pair, make_mpd_pairs, pair_arrays,
                                       parse_mpd_name, read_pair_list,
                                       scan_mpd_folder, split_subjects,
                                       write_pair_list)


def _names(subjects=3, iters=2):
    return [f'{s:03d}_{se}_{d}_{h}_{i:02d}.jpg' for s in range(1, subjects + 1)
            for se in (1, 2) for d in 'hm' for h in 'lr'
            for i in range(1, iters + 1)]


def test_parse_mpd_names():
    name = parse_mpd_name('/data/MPD/009_2_h_l_10.jpg')
    assert name == ('009', 2, 'h', 'l', 10) and name.hand_id == '009_l'
    four = parse_mpd_name('120_1_r_03.png')
    assert four.device is None and four.hand == 'r' and four.iteration == 3
    for bad in ('009_2_h_x_10.jpg', '009_2_h_l.jpg', 'palm.jpg',
                '009-2-h-l-10.jpg', 'a09_2_h_l_10.jpg'):
        with pytest.raises(ValueError, match=r"file name '.*' does not "
                           r'match \{id\}_\{session\}'):
            parse_mpd_name(bad)
    with pytest.raises(ValueError, match='does not match'):
        parse_mpd_name('120_1_r_03.png', allow_four_part=False)


def test_scan_folder_errors_and_skips(tmp_path):
    for name in ('001_1_h_l_01.jpg', '002_1_m_r_02.jpg', 'notes.txt'):
        (tmp_path / name).write_bytes(b'x')
    assert [n.subject for _, n in scan_mpd_folder(str(tmp_path))] == [
        '001', '002']
    (tmp_path / 'IMG_0001.jpg').write_bytes(b'x')
    with pytest.raises(ValueError, match=r"'IMG_0001.jpg'.*on_bad_name"):
        scan_mpd_folder(str(tmp_path))
    assert len(scan_mpd_folder(str(tmp_path), on_bad_name='skip')) == 2
    with pytest.raises(FileNotFoundError, match='does not exist'):
        scan_mpd_folder(str(tmp_path / 'missing'))


def test_split_subjects_is_disjoint():
    ids = [f'{i:03d}' for i in range(1, 11)] * 3
    train, test = split_subjects(ids, 0.2)
    assert test == ['009', '010'] and len(train) == 8
    train, test = split_subjects(ids, 3, mode='first')
    assert test == ['001', '002', '003']
    train, test = split_subjects(ids, 4, mode='random', seed=1)
    assert len(test) == 4 and not set(train) & set(test)
    assert set(train) | set(test) == set(ids)
    assert split_subjects(ids, 4, 'random', 1) == (train, test)
    assert split_subjects(ids, ['002', '005'])[1] == ['002', '005']
    with pytest.raises(ValueError, match="not in the data"):
        split_subjects(ids, ['999'])
    with pytest.raises(ValueError, match='is not possible'):
        split_subjects(ids, 11)
    with pytest.raises(ValueError, match='mode must be'):
        split_subjects(ids, 1, mode='middle')


def test_cross_session_and_cross_device_pairs():
    names = _names(subjects=4)
    parsed = {n: parse_mpd_name(n) for n in names}
    sess = make_mpd_pairs(names, 'cross_session', 1.0, 0.5, seed=0)
    dev = make_mpd_pairs(names, 'cross_device', 1.0, 0.5, seed=0)
    for pairs, differs, same in ((sess, 'session', 'device'),
                                 (dev, 'device', 'session')):
        for p in pairs:
            a, b = parsed[p.name1], parsed[p.name2]
            assert getattr(a, differs) != getattr(b, differs)
            assert getattr(a, same) == getattr(b, same)
            assert p.issame == (a.hand_id == b.hand_id)
            # folds never mix subjects: 001-002 calibrate, 003-004 report
            fold = 'calib' if a.subject in ('001', '002') else 'eval'
            assert p.fold == fold and (b.subject in ('001', '002')) == (
                fold == 'calib')
        genuine = sum(p.issame for p in pairs)
        # per hand: 2 phones (or sessions) x 2 x 2 photos = 8 pairs
        assert genuine == 8 * 8
        assert len(pairs) == 2 * genuine
    everything = make_mpd_pairs(names, 'all', 0, 1.0)
    n = len(names)
    assert len(everything) == n * (n - 1) // 2
    assert make_mpd_pairs(names, 'cross_session', seed=0) == sess
    with pytest.raises(ValueError, match='protocol must be one of'):
        make_mpd_pairs(names, 'cross_phone')


def test_pair_list_round_trip_and_errors(tmp_path):
    pairs = [Pair('001_1_h_l_01.jpg', '001_2_h_l_01.jpg', True, 'calib'),
             Pair('001_1_h_l_01.jpg', '002_2_h_l_01.jpg', False, 'eval')]
    path = tmp_path / 'pairs.txt'
    write_pair_list(str(path), pairs)
    assert read_pair_list(str(path)) == pairs
    idx, issame, fold = pair_arrays(
        pairs, ['001_1_h_l_01.jpg', '001_2_h_l_01.jpg', '002_2_h_l_01.jpg'])
    assert idx.tolist() == [[0, 1], [0, 2]] and issame.tolist() == [True,
                                                                    False]
    with pytest.raises(KeyError, match='not in the image folder'):
        pair_arrays(pairs, ['001_1_h_l_01.jpg'])
    path.write_text('a.jpg b.jpg 1\n\na.jpg c.jpg yes\n')
    with pytest.raises(ValueError, match=r'pairs.txt:3: expected'):
        read_pair_list(str(path))
    path.write_text('')
    with pytest.raises(ValueError, match='holds no pairs'):
        read_pair_list(str(path))


def test_palm_datasets_split_by_subject(roi_root):
    init_default_scope('mmpretrain')
    from mmpretrain.registry import DATASETS
    common = dict(data_root=str(roi_root), data_prefix='roi',
                  test_subjects=1, pipeline=[])
    train = DATASETS.build(dict(type='MPDPalmDataset', subset='train',
                                **common))
    test = DATASETS.build(dict(type='MPDPalmDataset', subset='test',
                               **common))
    train_subjects = {d['subject'] for d in train.load_data_list()}
    test_subjects = {d['subject'] for d in test.load_data_list()}
    assert train_subjects == {'001', '002', '003'}
    assert test_subjects == {'004'} and not train_subjects & test_subjects
    # classes are hands: subject x left/right
    assert train.metainfo['classes'] == ('001_l', '001_r', '002_l', '002_r',
                                         '003_l', '003_r')
    labels = [train.get_data_info(i)['gt_label'] for i in range(len(train))]
    assert np.bincount(labels).tolist() == [8] * 6
    one_phone = DATASETS.build(dict(type='MPDPalmDataset', subset='all',
                                    devices=['h'], sessions=[1], **common))
    assert len(one_phone) == 4 * 2 * 2
    with pytest.raises(ValueError, match='no test images'):
        DATASETS.build(dict(type='MPDPalmDataset', subset='test',
                            devices=['x'], **common))
    with pytest.raises(ValueError, match='subset must be one of'):
        DATASETS.build(dict(type='MPDPalmDataset', subset='val', **common))


def test_verification_dataset_metainfo(roi_root, tmp_path):
    init_default_scope('mmpretrain')
    from mmpretrain.registry import DATASETS
    cfg = dict(type='MPDVerificationDataset', data_root=str(roi_root),
               data_prefix='roi', test_subjects=2, protocol='cross_device',
               pipeline=[])
    ds = DATASETS.build(cfg)
    meta = ds.metainfo
    assert len(ds) == 32
    pairs, issame = np.array(meta['pairs']), np.array(meta['issame'])
    assert issame.sum() == 4 * 8 and len(pairs) == 2 * issame.sum()
    assert set(meta['pair_fold']) == {'calib', 'eval'}
    names = [ds.get_data_info(i)['img_path'] for i in range(len(ds))]
    for (i, j), same in zip(pairs, issame):
        a, b = parse_mpd_name(names[i]), parse_mpd_name(names[j])
        assert a.device != b.device and same == (a.hand_id == b.hand_id)
    pair_file = tmp_path / 'p.txt'
    pair_file.write_text('003_1_h_l_01.jpg 003_2_h_l_01.jpg 1 eval\n'
                         '003_1_h_l_01.jpg 004_1_h_l_01.jpg 0 eval\n')
    listed = DATASETS.build(dict(cfg, pair_file=str(pair_file)))
    assert listed.metainfo['issame'] == [True, False]
