# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import json
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from projects.asfd import (AutoFEM, BilevelSearchLoop, derive_genotype,
                           load_genotype)

SEARCH_CFG = 'configs/asfd/asfd_search_demo.py'
TRAIN_CFG = 'configs/asfd/asfd_tiny_demo.py'
OPS = "['none','skip_connect','sep_conv_3x3','max_pool_3x3']"


@pytest.fixture(scope='module')
def faces(tmp_path_factory, repo_root):
    root = tmp_path_factory.mktemp('asfd') / 'faces'
    subprocess.run([
        sys.executable,
        str(repo_root / 'tools/misc/make_cartoon_faces.py'),
        str(root), '--num-train', '4', '--num-val', '2', '--size', '64'
    ], check=True, capture_output=True)
    return root


def _search_options(faces, epochs, train_images=2, flip=False):
    # Tiny search: 2 held-out images and train_images train images, batches
    # of 2, 4 candidate ops; random flip at the config's probability when
    # flip is on.
    opts = [f'train_cfg.max_epochs={epochs}', 'train_cfg.arch_start_epoch=0',
            f'model.neck.op_names={OPS}']
    for loader, num in (('train_dataloader', train_images),
                        ('train_cfg.arch_dataloader', 2)):
        opts += [f'{loader}.dataset.data_root={faces}/',
                 f'{loader}.dataset.indices={num}', f'{loader}.batch_size=2']
        if not flip:
            opts.append(f'{loader}.dataset.pipeline.2.prob=0.0')
    return opts


def _train(repo_root, cfg, work_dir, options, *extra):
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', cfg, '--work-dir',
         str(work_dir), *extra, '--cfg-options', *options],
        cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_alphas_learn_on_held_out_and_weights_on_train(faces, repo_root,
                                                       tmp_path):
    init_default_scope('mmdet')
    cfg = Config.fromfile(str(repo_root / SEARCH_CFG))
    cfg.merge_from_dict(
        Config(dict(work_dir=str(tmp_path), experiment_name='asfd_alt')))
    opts = {}
    for o in _search_options(faces, 1):
        key, value = o.split('=', 1)
        opts[key] = eval(value) if key.endswith(('ops', 'names')) else (
            value if key.endswith('root') else float(value)
            if '.' in value else int(value))
    cfg.merge_from_dict(opts)
    runner = Runner.from_cfg(cfg)
    loop = runner.train_loop
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner._hooks = []  # hooks are not under test here
    model = runner.model
    arch = {n: p for n, p in model.named_parameters() if 'arch_' in n}
    weights = {n: p for n, p in model.named_parameters() if 'arch_' not in n}
    assert len(arch) == 2 and len(weights) > 10
    calls = []
    train_step = model.train_step

    def spy(data, optim_wrapper):
        before = {n: p.detach().clone() for n, p in model.named_parameters()}
        out = train_step(data, optim_wrapper=optim_wrapper)
        changed = {n for n, p in model.named_parameters()
                   if not torch.equal(before[n], p)}
        calls.append((data['data_samples'][0].img_path, changed))
        return out

    model.train_step = spy
    train_batch = next(iter(loop.dataloader))
    loop.run_iter(0, train_batch)
    (arch_img, arch_changed), (weight_img, weight_changed) = calls
    assert '/images/val/' in arch_img and '/images/train/' in weight_img
    assert arch_changed == set(arch)
    assert weight_changed and weight_changed <= set(weights)
    assert all(p.requires_grad for p in weights.values())
    assert not any(p.requires_grad for p in arch.values())
    # Before arch_start_epoch only the weight step runs.
    loop.arch_start_epoch = 5
    loop.run_iter(1, train_batch)
    assert len(calls) == 3 and calls[2][1] <= set(weights)

    # Bad inputs: an empty held-out split, a model without alphas.
    loop.arch_dataloader, loop._arch_iter = [], None
    with pytest.raises(ValueError, match='held-out split is empty'):
        loop._next_arch_batch()
    for name in list(arch):
        module = model.get_submodule(name.rsplit('.', 1)[0])
        delattr(module, name.rsplit('.', 1)[1])
    with pytest.raises(ValueError, match='has no parameter named arch_'):
        BilevelSearchLoop(runner, loop.dataloader, [], 1)


# Three runs of at most 300 s each: their own timeouts fire (with the
# command) before the test's.
@pytest.mark.timeout(1000)
def test_search_exports_genotype_resumes_exactly_and_trains(
        faces, repo_root, tmp_path, assert_same_checkpoint):
    # 2 iterations an epoch (4 train images), random flip on: resuming at
    # the end of epoch 1 must give epoch 2 bit for bit (weights, alphas,
    # both optimizers' Adam/SGD states, schedulers, generators).
    options = _search_options(faces, 2, train_images=4, flip=True)
    straight, resumed = tmp_path / 'straight', tmp_path / 'resumed'
    _train(repo_root, SEARCH_CFG, straight, options)
    history = json.loads((straight / 'arch_weights.json').read_text())
    assert [h['epoch'] for h in history] == [1, 2]
    assert history[0]['fusion'] != history[1]['fusion']
    genotype = load_genotype(str(straight / 'genotype.json'))
    used = {op for op in genotype['fusion'].values()} | {
        op for node in genotype['cell'] for op, _ in node}
    assert used <= set(eval(OPS)) - {'none'}
    assert AutoFEM([16, 48, 160], 16, 4, genotype=genotype).genotype == \
        genotype

    # Resume the second epoch from the straight run's first checkpoint.
    _train(repo_root, SEARCH_CFG, resumed, options, '--resume',
           str(straight / 'epoch_1.pth'))
    a = torch.load(straight / 'epoch_2.pth', weights_only=False)
    b = torch.load(resumed / 'epoch_2.pth', weights_only=False)
    first = torch.load(straight / 'epoch_1.pth', weights_only=False)
    assert a['meta']['iter'] == 4 and first['meta']['iter'] == 2
    assert_same_checkpoint(b, a, extra=('asfd_arch_optimizer', ))
    # every Adam state of both alpha tensors, second moments included
    arch_state = a['asfd_arch_optimizer']['state']
    assert len(arch_state) == 2  # fusion and cell
    assert all(s['step'] == 4 and s['exp_avg_sq'].abs().sum() > 0
               for s in arch_state.values())
    # the flips of epoch 2 were drawn: the resumed generators equal the
    # straight run's, which moved on from epoch 1's
    end, start = (c['meta']['random_states']['numpy'] for c in (a, first))
    assert (end[1].tolist(), end[2]) != (start[1].tolist(), start[2])
    assert (resumed / 'genotype.json').read_text() == (
        straight / 'genotype.json').read_text()

    # The tiny detector trains with the searched genotype and evaluates.
    opts = [f'model.neck.genotype={straight}/genotype.json',
            'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
            f'train_dataloader.dataset.data_root={faces}/',
            'train_dataloader.dataset.indices=2',
            'train_dataloader.batch_size=2',
            f'val_dataloader.dataset.data_root={faces}/',
            f'test_dataloader.dataset.data_root={faces}/']
    proc = _train(repo_root, TRAIN_CFG, tmp_path / 'train', opts)
    assert 'icartoonface/AP50' in proc.stdout + proc.stderr
    assert (tmp_path / 'train' / 'epoch_1.pth').is_file()


def test_two_process_search_trains_and_needs_find_unused(
        repo_root, tmp_path, torchrun):
    """Under DDP (2 gloo processes) the search runs with the config's
    find_unused_parameters=True; without it the loop stops with an error
    that names the setting instead of DDP's reduction error."""
    faces = tmp_path / 'faces'  # 4 images a split: batches of 2 per rank
    subprocess.run([
        sys.executable,
        str(repo_root / 'tools/misc/make_cartoon_faces.py'),
        str(faces), '--num-train', '4', '--num-val', '4', '--size', '64'
    ], check=True, capture_output=True)
    options = [
        o.replace('indices=2', 'indices=4') for o in _search_options(faces, 1)
    ]

    def dist_train(work_dir, *extra):
        return torchrun(['tools/dist_train.sh', SEARCH_CFG, '2', '--work-dir',
                         str(work_dir), '--cfg-options', *options, *extra],
                        cwd=repo_root)

    ok = dist_train(tmp_path / 'ddp')
    assert ok.returncode == 0, ok.stderr[-3000:]
    work = tmp_path / 'ddp'
    saved = torch.load(work / 'epoch_1.pth', weights_only=False)
    # each rank took its half of the 4 train images: one iteration of 2 per
    # rank (one process would run 2), with one Adam step of both alphas on
    # held-out gradients and every rank's generators saved
    assert saved['meta']['iter'] == 1
    assert len(saved['meta']['random_states_per_rank']) == 2
    arch_state = saved['asfd_arch_optimizer']['state']
    assert sorted(arch_state) == [0, 1]
    assert all(s['step'] == 1 and s['exp_avg'].abs().sum() > 0
               for s in arch_state.values())
    # the recorded weights are the softmax of the saved alphas, and the
    # exported genotype is derived from them
    fusion, cell = (saved['state_dict'][f'neck.arch_{n}_alpha']
                    for n in ('fusion', 'cell'))
    history = json.loads((work / 'arch_weights.json').read_text())
    assert [h['epoch'] for h in history] == [1]
    torch.testing.assert_close(torch.tensor(history[0]['fusion']),
                               fusion.softmax(-1))
    torch.testing.assert_close(torch.tensor(history[0]['cell']),
                               cell.softmax(-1))
    assert load_genotype(str(work / 'genotype.json')) == derive_genotype(
        fusion, cell, eval(OPS))
    bad = dist_train(tmp_path / 'bad', 'find_unused_parameters=False')
    assert bad.returncode != 0
    assert 'needs find_unused_parameters=True' in bad.stderr + bad.stdout
