# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DDLFaceDataset split and the four-stream loader."""
from pathlib import Path

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import projects.ddl.ddl_four_stream_sampler as sampler_module
from projects.ddl import DDLFaceDataset, DDLFourStreamSampler

META = ('sample_idx', 'img_path', 'ddl_stream')


def _dataset(root: Path, **kwargs) -> DDLFaceDataset:
    kwargs.setdefault('split_file', str(root / 'split.txt'))
    return DDLFaceDataset(data_root=str(root),
                          data_prefix='train_ddl',
                          **kwargs)


def test_split_file_marks_images(faces):
    ds = _dataset(faces)
    assert len(ds) == 30 and ds.ddl_is_hard.sum() == 15
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        assert info['is_hard'] == info['img_path'].endswith('_hard.png')
        assert info['ddl_stream'] == 0
    # Encoded index: stream 3, image 4.
    info = ds.get_data_info(3 * len(ds) + 4)
    assert info['ddl_stream'] == 3
    assert info['img_path'] == ds.get_data_info(4)['img_path']
    with pytest.raises(IndexError, match='beyond the 4 streams'):
        ds.get_data_info(4 * len(ds))


def test_relative_data_root(faces, monkeypatch):
    monkeypatch.chdir(faces.parent)
    ds = DDLFaceDataset(data_root=faces.name + '/',
                        data_prefix='train_ddl',
                        split_file=faces.name + '/split.txt')
    assert len(ds) == 30 and ds.ddl_is_hard.sum() == 15


def test_regex_rule_matches_split_file(faces):
    ds = _dataset(faces, split_file=None, hard_regex=r'_hard\.png$')
    assert np.array_equal(ds.ddl_is_hard, _dataset(faces).ddl_is_hard)


def test_split_file_errors_and_unlisted_images(faces, tmp_path):
    lines = (faces / 'split.txt').read_text().splitlines()
    short = tmp_path / 'short.txt'
    short.write_text('\n'.join(lines[:-2]) + '\n')
    assert len(_dataset(faces, split_file=str(short))) == 28
    bad = tmp_path / 'bad.txt'
    bad.write_text(lines[0] + '\nid00000/001.png medium\n')
    with pytest.raises(ValueError, match=r'bad.txt:2: expected'):
        _dataset(faces, split_file=str(bad))
    with pytest.raises(ValueError, match='exactly one of'):
        _dataset(faces, hard_regex='hard')


def test_sampler_streams_keep_their_promises(faces):
    ds = _dataset(faces)
    sampler = DDLFourStreamSampler(ds, num_ids=4, num_pairs=2, seed=3)
    assert sampler.batch_size == 16
    it = iter(sampler)
    first = [next(it) for _ in range(2 * sampler.batch_size)]
    again = iter(DDLFourStreamSampler(ds, num_ids=4, num_pairs=2, seed=3))
    assert first == [next(again) for _ in range(len(first))]
    for chunk in (first[:16], first[16:]):
        stream, image = np.divmod(np.array(chunk), len(ds))
        assert stream.tolist() == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4
        labels, hard = ds.ddl_labels[image], ds.ddl_is_hard[image]
        for s, want_hard in ((0, False), (1, True)):
            assert len(set(labels[stream == s])) == 4
            assert (hard[stream == s] == want_hard).all()
        for s, want_hard in ((2, False), (3, True)):
            a, b = image[stream == s][0::2], image[stream == s][1::2]
            assert (ds.ddl_labels[a] == ds.ddl_labels[b]).all()
            assert (a != b).all() and len(set(ds.ddl_labels[a])) == 2
            assert (hard[stream == s] == want_hard).all()


def test_sampler_easy_hard_pairs_and_errors(faces):
    ds = _dataset(faces)
    sampler = DDLFourStreamSampler(ds,
                                   num_ids=2,
                                   num_pairs=3,
                                   hard_pairs='easy-hard',
                                   seed=0)
    ids = np.array(sorted(sampler.easy))[:2]
    image = np.array(sampler.iteration(np.random.default_rng(0), ids,
                                       ids)[-6:]) % len(ds)
    assert ds.ddl_is_hard[image].tolist() == [False, True] * 3
    with pytest.raises(ValueError, match='needs 6 .* only 5 identities'):
        DDLFourStreamSampler(ds, num_ids=6, num_pairs=1, seed=0)
    with pytest.raises(ValueError, match='num_pairs=6'):
        DDLFourStreamSampler(ds, num_ids=2, num_pairs=6, seed=0)
    with pytest.raises(ValueError, match='hard_pairs'):
        DDLFourStreamSampler(ds, 2, 1, hard_pairs='soft', seed=0)


def _rank_chunks(ds, monkeypatch, rank, world, iters):
    """Classification identities of ``iters`` iterations on ``rank``."""
    monkeypatch.setattr(sampler_module, 'get_dist_info',
                        lambda: (rank, world))
    sampler = DDLFourStreamSampler(ds, num_ids=2, num_pairs=1, seed=7)
    it = iter(sampler)
    out = []
    for _ in range(iters):
        chunk = np.array([next(it) for _ in range(sampler.batch_size)])
        stream, image = np.divmod(chunk, len(ds))
        out.append([ds.ddl_labels[image[stream == s]].tolist()
                    for s in (0, 1)])
    return out


def test_sampler_partitions_identities_across_ranks(faces, monkeypatch):
    """As the official DistributedIDBalanceSampler: no identity on two
    ranks in an iteration, each rank's draw differs, and a share of the
    shared permutation is used up before a new one is drawn."""
    ds = _dataset(faces)  # 5 identities: 2 ranks x 2 ids, one left over
    ranks = [_rank_chunks(ds, monkeypatch, r, 2, 4) for r in range(2)]
    for it in range(4):
        for s in (0, 1):
            a, b = ranks[0][it][s], ranks[1][it][s]
            assert len(set(a)) == 2 and len(set(b)) == 2
            assert not set(a) & set(b), (it, s, a, b)
    # easy and hard streams walk their own permutations
    assert any(r[0] != r[1] for r in ranks[0])
    # 3 identities per rank need 6 on 2 processes (get_dist_info patched)
    with pytest.raises(ValueError, match='2 process.*needs 6'):
        DDLFourStreamSampler(ds, num_ids=3, num_pairs=1, seed=0)


def test_built_loader_yields_four_streams(faces):
    init_default_scope('mmpretrain')
    loader = Runner.build_dataloader(dict(
        batch_size=12,
        num_workers=0,
        sampler=dict(type='DDLFourStreamSampler', num_ids=2, num_pairs=2),
        dataset=dict(type='DDLFaceDataset',
                     data_root=str(faces),
                     data_prefix='train_ddl',
                     split_file=str(faces / 'split.txt'),
                     pipeline=[
                         dict(type='LoadImageFromFile'),
                         dict(type='PackInputs', meta_keys=META)
                     ])),
                                     seed=0)
    batch = next(iter(loader))
    samples = batch['data_samples']
    assert len(batch['inputs']) == 12
    assert [s.ddl_stream
            for s in samples] == [0] * 2 + [1] * 2 + [2] * 4 + [3] * 4
    hard = [s.img_path.endswith('_hard.png') for s in samples]
    assert hard == [False] * 2 + [True] * 2 + [False] * 4 + [True] * 4
    labels = [int(s.gt_label) for s in samples]
    assert labels[4] == labels[5] and labels[8] == labels[9]
