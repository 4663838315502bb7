# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The CIFAR and ImageNet recipe configs train end to end through
tools/train.py (2 epochs of 2 iterations, so that one graft happens) on
generated data in each dataset's own on-disk format."""
import json
import math
import pickle
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name('_train_without_md5.py')


def _write_cifar(root: Path, classes: int, per_split: int = 8) -> None:
    """A CIFAR-10 (``cifar-10-batches-py``, 5 train batches of 2) or
    CIFAR-100 (``cifar-100-python``) folder of random images."""
    rng = np.random.default_rng(0)

    def batch(count: int, key: str) -> bytes:
        data = rng.integers(0, 256, (count, 3 * 32 * 32), dtype=np.uint8)
        labels = rng.integers(0, classes, count).tolist()
        return pickle.dumps({'data': data, key: labels})

    if classes == 10:
        folder = root / 'cifar-10-batches-py'
        folder.mkdir(parents=True)
        for i in range(1, 6):  # 5 train batches, as the real set
            (folder / f'data_batch_{i}').write_bytes(batch(2, 'labels'))
        (folder / 'test_batch').write_bytes(batch(per_split, 'labels'))
    else:
        folder = root / 'cifar-100-python'
        folder.mkdir(parents=True)
        (folder / 'train').write_bytes(batch(per_split, 'fine_labels'))
        (folder / 'test').write_bytes(batch(per_split, 'fine_labels'))


def _write_imagenet(root: Path, per_split: int = 4) -> None:
    """An ImageNet folder with ``meta/{train,val}.txt`` lists."""
    rng = np.random.default_rng(0)
    (root / 'meta').mkdir(parents=True)
    for split in ('train', 'val'):
        (root / split).mkdir()
        lines = []
        for i in range(per_split):
            # list entries are relative to the split's folder
            name = f'img{i}.JPEG'
            image = rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)
            cv2.imwrite(str(root / split / name), image)
            lines.append(f'{name} {int(rng.integers(0, 1000))}')
        (root / 'meta' / f'{split}.txt').write_text('\n'.join(lines) + '\n')


def _train(cfg: str, work_dir: Path, data_root: Path, batch: int) -> str:
    options = ['model.num_peers=2', 'train_cfg.max_epochs=2']
    for loader in ('train', 'val', 'test'):
        options += [
            f'{loader}_dataloader.dataset.data_root={data_root}',
            f'{loader}_dataloader.batch_size={batch}',
            f'{loader}_dataloader.num_workers=0',
            f'{loader}_dataloader.persistent_workers=False'
        ]
    proc = subprocess.run([
        sys.executable,
        str(RUNNER), cfg, '--work-dir',
        str(work_dir), '--cfg-options', *options
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return proc.stdout + proc.stderr


# The lr of each peer when training stops: the CIFAR recipes' "dlr" gives
# peer i of N lr 0.1 * (1 + cos(pi * (N - i - 1) / N)) / 2, i.e. 0.05 and
# 0.1, and their step schedule has no milestone in 2 epochs; the ImageNet
# recipe gives both 0.1, cosine over 90 epochs of 2 iterations, after 4
# iterations.
IMAGENET_LR = 0.1 * (1 + math.cos(math.pi * 4 / 180)) / 2
RECIPES = [
    ('configs/dgd/dgd-dgd_resnet56_2peers-b128-200e_cifar100.py', 'cifar',
     100, (0.05, 0.1)),
    ('configs/dgd/dgd-dgd_mobilenetv2_2peers-b128-200e_cifar10.py', 'cifar',
     10, (0.05, 0.1)),
    ('configs/dgd/dgd-dgd_resnet18_2peers-8xb32-90e_in1k.py', 'imagenet',
     1000, (IMAGENET_LR, IMAGENET_LR)),
]


@pytest.mark.parametrize('cfg,kind,classes,lrs',
                         RECIPES,
                         ids=[Path(r[0]).stem for r in RECIPES])
@pytest.mark.timeout(900)  # the run's own 600 s timeout fires first
def test_recipe_config_trains_grafts_and_distils(tmp_path, cfg, kind,
                                                 classes, lrs):
    data = tmp_path / 'data'
    if kind == 'cifar':
        _write_cifar(data, classes)
    else:
        _write_imagenet(data)
    logs = _train(cfg, tmp_path / 'work', data, batch=4 if kind == 'cifar'
                  else 2)
    assert 'FilterGraftingHook: graft 1' in logs
    assert 'peer0.loss_kd' in logs and 'peer1.loss_cls' in logs
    assert 'accuracy/top1' in logs
    final = torch.load(tmp_path / 'work' / 'epoch_2.pth',
                       map_location='cpu',
                       weights_only=False)
    assert final['dgd_grafting']['num_grafts'] == 1
    fc = [k for k in final['state_dict'] if k.endswith('fc.weight')]
    assert {final['state_dict'][k].shape[0] for k in fc} == {classes}
    # every logged total is both peers' classification and distillation
    # losses, the latter non-zero
    run = next((tmp_path / 'work').glob('*/vis_data/scalars.json'))
    train = [r for r in map(json.loads, run.read_text().splitlines())
             if 'loss' in r]
    assert len(train) == 2  # one record an epoch
    for r in train:
        parts = [r[f'peer{i}.loss_{n}'] for i in (0, 1) for n in ('cls', 'kd')]
        assert r['loss'] == pytest.approx(sum(parts), rel=1e-5)
        assert r['peer0.loss_kd'] > 0 and r['peer1.loss_kd'] > 0
    # one parameter group per parameter, peer 0's then peer 1's, each at
    # its peer's lr
    buffers = ('running_mean', 'running_var', 'num_batches_tracked')
    counts = [
        sum(1 for k in final['state_dict']
            if k.startswith(f'peers.{i}.') and not k.endswith(buffers))
        for i in (0, 1)
    ]
    got = [g['lr'] for g in final['optimizer']['param_groups']]
    expected = [lrs[0]] * counts[0] + [lrs[1]] * counts[1]
    assert counts[0] > 50 and got == pytest.approx(expected, rel=1e-9)
