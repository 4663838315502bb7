# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""tools/train.py and tools/test.py on a tiny config of each toolbox.

Every run is a real subprocess from a temporary folder that holds the
generated toy data under ``data/toy`` (what the toy configs read).
"""
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / 'configs' / 'toy'
CLS_CFG = str(CONFIGS / 'resnet_tiny_toy-cls.py')
DET_CFG = str(CONFIGS / 'retinanet_tiny_toy-det.py')
SEG_CFG = str(CONFIGS / 'fcn_tiny_toy-seg.py')


@pytest.fixture(scope='module')
def toy_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('toy')
    sys.path.insert(0, str(REPO / 'tools' / 'misc'))
    try:
        from make_toy_data import make_toy_data
    finally:
        sys.path.pop(0)
    make_toy_data(str(root / 'data' / 'toy'))
    return root


def _run(args, cwd, timeout=600, check=True) -> subprocess.CompletedProcess:
    # PYTHONPATH: configs written by the tests import hooks kept beside them.
    env = dict(
        os.environ,
        PYTHONWARNINGS='ignore',
        PYTHONPATH=os.pathsep.join(
            [str(Path(__file__).parent),
             os.environ.get('PYTHONPATH', '')]))
    proc = subprocess.run([sys.executable, *args],
                          cwd=cwd,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed ({proc.returncode}):\n'
                             f'{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}')
    return proc


def _train(cfg, work_dir, cwd, *extra) -> subprocess.CompletedProcess:
    return _run([str(REPO / 'tools' / 'train.py'), cfg, '--work-dir',
                 str(work_dir), *extra], cwd)


def _state_dict(path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


@pytest.fixture(scope='module')
def cls_run(toy_root) -> Path:
    work_dir = toy_root / 'work_cls'
    _train(CLS_CFG, work_dir, toy_root)
    return work_dir


def _scalars(work_dir: Path) -> list:
    """The logged records (losses, metrics) of the latest run in
    ``work_dir``, oldest first."""
    run = sorted(work_dir.glob('*/vis_data/scalars.json'))[-1]
    return [json.loads(line) for line in run.read_text().splitlines()]


def _losses(records: list) -> list:
    return [r['loss'] for r in records if 'loss' in r]


def test_train_mmpretrain_config(cls_run):
    assert (cls_run / 'iter_16.pth').is_file()
    records = _scalars(cls_run)
    # seeded: 1.03 -> 0.65 over 4 logged windows of 4 iterations
    losses = _losses(records)
    assert len(losses) == 4 and losses[-1] < 0.8 * losses[0]
    # 3 balanced colour classes (chance 33 %): 66.7 % measured
    top1 = [r['accuracy/top1'] for r in records if 'accuracy/top1' in r]
    assert len(top1) == 1 and 50 < top1[0] <= 100


def test_resume_is_exact(toy_root, cls_run, assert_same_checkpoint):
    work_dir = toy_root / 'work_cls_resume'
    interrupted = toy_root / 'interrupted_cls.py'
    interrupted.write_text(
        f'_base_ = {CLS_CFG!r}\n'
        "custom_imports = dict(imports=['_interrupt_hook'], "
        'allow_failed_imports=False)\n'
        "custom_hooks = [dict(type='InterruptTrainingHook', after_iter=8)]\n")
    _train(str(interrupted), work_dir, toy_root)
    assert (work_dir / 'iter_8.pth').exists()
    assert not (work_dir / 'iter_16.pth').exists()
    _train(CLS_CFG, work_dir, toy_root, '--resume')
    resumed = _state_dict(work_dir / 'iter_16.pth')
    straight = _state_dict(cls_run / 'iter_16.pth')
    halfway = _state_dict(work_dir / 'iter_8.pth')
    assert resumed['meta']['iter'] == straight['meta']['iter'] == 16
    # bit for bit: weights, optimizer, schedulers, generators
    assert_same_checkpoint(resumed, straight)
    # The second half really trained: the weights moved after iter 8.
    key = 'backbone.conv1.weight'
    assert not torch.allclose(halfway['state_dict'][key],
                              resumed['state_dict'][key])


def test_resume_from_explicit_checkpoint(toy_root, cls_run,
                                         assert_same_checkpoint):
    work_dir = toy_root / 'work_cls_explicit'
    proc = _train(CLS_CFG, work_dir, toy_root, '--resume',
                  str(cls_run / 'iter_8.pth'))
    assert 'resumed' in (proc.stdout + proc.stderr).lower()
    assert_same_checkpoint(_state_dict(work_dir / 'iter_16.pth'),
                           _state_dict(cls_run / 'iter_16.pth'))


def _dist_train(torchrun, cfg, work_dir, cwd, *extra,
                env=None) -> subprocess.CompletedProcess:
    proc = torchrun([
        str(REPO / 'tools' / 'dist_train.sh'),
        str(cfg), '2', '--work-dir',
        str(work_dir), *extra
    ], cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-8000:]
    return proc


@pytest.mark.timeout(900)  # two torchrun runs of at most 400 s each
def test_distributed_two_processes_on_cpu(toy_root, torchrun):
    """2 ranks draw disjoint halves of each epoch, train with DDP's averaged
    gradients and so end with the same weights, bit for bit (an
    unsynchronised run on different data would not)."""
    work_dir = toy_root / 'work_cls_dist'
    ranks_dir = toy_root / 'dist_cls_ranks'
    ranks_dir.mkdir()
    cfg = toy_root / 'dist_cls.py'
    cfg.write_text(
        f'_base_ = {CLS_CFG!r}\n'
        "custom_imports = dict(imports=['projects.engine', "
        "'_rank_state_hook'], allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='RankReportHook'), "
        f"dict(type='RankStateHook', out_dir={str(ranks_dir)!r})]\n")
    proc = _dist_train(torchrun, cfg, work_dir, toy_root, '--cfg-options',
                       'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
                       'default_hooks.checkpoint.interval=4',
                       env=dict(PYTHONPATH=os.pathsep.join(
                           [str(Path(__file__).parent),
                            os.environ.get('PYTHONPATH', '')])))
    out = proc.stdout + proc.stderr
    for rank in (0, 1):
        assert f'rank {rank}/2 finished 4 train iterations' in out
    checkpoints = sorted(p.name for p in work_dir.glob('*.pth'))
    assert checkpoints == ['iter_4.pth']
    ranks = [_state_dict(ranks_dir / f'rank{r}.pth') for r in (0, 1)]
    # 24 images, 4 a batch per rank: iterations 0-2 are epoch 1 (the
    # ranks' 12 + 12 images are all of it), iteration 3 starts epoch 2
    samples = [r['samples'] for r in ranks]
    assert [len(s) for s in samples] == [4, 4]
    assert all(len(b) == 4 for s in samples for b in s)
    epoch = [i for s in samples for b in s[:3] for i in b]
    assert sorted(epoch) == list(range(24))
    assert not set(samples[0][3]) & set(samples[1][3])
    # rank 0's checkpoint holds its model; both ranks' trained weights are
    # equal (the averaged gradients) while the batch-norm statistics of
    # their last batches differ (they saw different images)
    saved = _state_dict(work_dir / 'iter_4.pth')['state_dict']
    weights = [r['state_dict'] for r in ranks]
    params = [k for k in weights[0] if 'running' not in k
              and 'num_batches' not in k]
    assert len(params) > 10
    for key in params:
        assert torch.equal(weights[0][key], weights[1][key]), key
        assert torch.equal(saved[key], weights[0][key]), key
    stats = [k for k in weights[0] if k.endswith('running_mean')]
    assert stats and all(not torch.equal(weights[0][k], weights[1][k])
                         for k in stats)


def test_distributed_resume_keeps_every_ranks_generators(
        toy_root, torchrun, assert_same_checkpoint):
    """Ranks with their own seeds augment differently; after --resume each
    rank must draw as it would have, or the averaged gradients change."""
    options = ('--cfg-options', 'randomness.diff_rank_seed=True',
               'train_cfg.max_iters=8', 'train_cfg.val_interval=8',
               'default_hooks.checkpoint.interval=4')
    straight = toy_root / 'work_cls_dist_seeds'
    _dist_train(torchrun, CLS_CFG, straight, toy_root, *options)
    halfway = _state_dict(straight / 'iter_4.pth')
    per_rank = halfway['meta']['random_states_per_rank']
    assert len(per_rank) == 2
    assert per_rank[0]['numpy'][1].tolist() != per_rank[1]['numpy'][1].tolist()
    resumed = toy_root / 'work_cls_dist_seeds_resumed'
    resumed.mkdir()
    shutil.copy(straight / 'iter_4.pth', resumed / 'iter_4.pth')
    _dist_train(torchrun, CLS_CFG, resumed, toy_root, '--resume',
                str(resumed / 'iter_4.pth'), *options)
    # the same 2 processes sum in the same order: bit for bit
    assert_same_checkpoint(_state_dict(resumed / 'iter_8.pth'),
                           _state_dict(straight / 'iter_8.pth'))


def test_train_and_test_mmdet_config_inheriting_mmdet_base(toy_root, torchrun):
    work_dir = toy_root / 'work_det'
    _train(DET_CFG, work_dir, toy_root)
    ckpt = work_dir / 'iter_20.pth'
    assert ckpt.is_file()
    out_pkl = toy_root / 'det_results.pkl'
    show_dir = 'det_vis'
    proc = _run([
        str(REPO / 'tools' / 'test.py'), DET_CFG,
        str(ckpt), '--work-dir',
        str(work_dir), '--out',
        str(out_pkl), '--show-dir', show_dir
    ], toy_root)
    assert 'coco/bbox_mAP' in proc.stdout + proc.stderr
    with open(out_pkl, 'rb') as f:
        results = pickle.load(f)
    assert len(results) == 16
    assert 'pred_instances' in results[0]
    assert len(list((work_dir).rglob(f'{show_dir}/*.png'))) == 16
    # tools/dist_test.sh on 2 processes: the same metrics as one process
    from projects.facedet.leaderboard import latest_metrics
    dist_dir = toy_root / 'work_det_dist_test'
    proc = torchrun([
        str(REPO / 'tools' / 'dist_test.sh'), DET_CFG,
        str(ckpt), '2', '--work-dir',
        str(dist_dir)
    ], cwd=toy_root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    single = latest_metrics(str(work_dir))
    assert 'coco/bbox_mAP_50' in single
    assert latest_metrics(str(dist_dir)) == single


def test_train_mmseg_config(toy_root):
    work_dir = toy_root / 'work_seg'
    _train(SEG_CFG, work_dir, toy_root)
    assert (work_dir / 'iter_20.pth').is_file()
    records = _scalars(work_dir)
    # seeded: 0.65 -> 0.44 over 5 logged windows of 4 iterations
    losses = _losses(records)
    assert len(losses) == 5 and losses[-1] < 0.8 * losses[0]
    # measured: aAcc 79.7 (the background share), mIoU 39.9, mAcc 50: after
    # 20 iterations the tiny FCN still labels every pixel background
    metrics = [r for r in records if 'mIoU' in r]
    assert len(metrics) == 1
    m = metrics[0]
    assert 0 < m['mIoU'] <= m['mAcc'] <= 100 and m['aAcc'] > 50


def test_missing_config_is_a_clear_error(toy_root):
    proc = _run([str(REPO / 'tools' / 'train.py'), 'no/such/config.py'],
                toy_root,
                check=False)
    assert proc.returncode != 0
    assert 'config file no/such/config.py does not exist' in proc.stderr


def test_test_rejects_non_pickle_out(toy_root):
    proc = _run([
        str(REPO / 'tools' / 'test.py'), CLS_CFG, 'x.pth', '--out', 'x.json'
    ],
                toy_root,
                check=False)
    assert proc.returncode == 2
    assert '--out must be a .pkl or .pickle file' in proc.stderr


def test_import_projects_imports_no_toolbox():
    code = ('import sys, projects; '
            "print(sorted(m for m in ('mmdet', 'mmseg', 'mmpretrain') "
            'if m in sys.modules))')
    proc = _run(['-c', code], REPO)
    assert proc.stdout.strip() == '[]'
