# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""2 gloo processes under mmengine's DDP wrapper (tools/train.py
--launcher pytorch) train the toy detector as 1 process does on the whole
batch: each rank takes its half of the batch and DDP averages the
gradients."""
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import torch

REPO = Path(__file__).resolve().parents[2]
DET_CFG = 'configs/toy/retinanet_tiny_toy-det.py'
BOX = [16, 12, 44, 48]  # x1, y1, x2, y2: the same face in both images


def _write_two_images(root: Path) -> None:
    """Two different noise images with the same box, so that both halves of
    the batch have the same number of positive anchors: RetinaNet divides
    each process's loss by its own count, and only with equal counts is the
    mean of the halves' losses the whole batch's loss."""
    rng = np.random.default_rng(0)
    (root / 'train').mkdir(parents=True)
    images, annotations = [], []
    for i in range(2):
        img = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
        x1, y1, x2, y2 = BOX
        img[y1:y2, x1:x2] = (40 + 150 * i, 200, 90)
        cv2.imwrite(str(root / 'train' / f'{i}.png'), img)
        images.append(dict(id=i, file_name=f'{i}.png', width=64, height=64))
        annotations.append(
            dict(id=i, image_id=i, category_id=0, iscrowd=0,
                 bbox=[x1, y1, x2 - x1, y2 - y1], area=(x2 - x1) * (y2 - y1)))
    (root / 'train.json').write_text(
        json.dumps(dict(images=images, annotations=annotations,
                        categories=[dict(id=0, name='box')])))


def _options(data: Path, batch_size: int) -> list:
    return [
        '--cfg-options', f'train_dataloader.dataset.data_root={data}/',
        f'train_dataloader.batch_size={batch_size}',
        'train_dataloader.sampler.shuffle=False',
        # no flip: the sampler and the images alone decide the batches
        'train_dataloader.dataset.pipeline.3.prob=0.0',
        # batch statistics would differ between the halves and the whole
        'model.backbone.norm_eval=True',
        'train_cfg.max_iters=3', 'default_hooks.checkpoint.interval=1',
        'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None'
    ]


def test_two_processes_on_half_batches_equal_one_on_the_batch(
        tmp_path, run_ranks):
    data = tmp_path / 'data'
    _write_two_images(data)
    one = tmp_path / 'one'
    proc = subprocess.run([
        sys.executable, 'tools/train.py', DET_CFG, '--work-dir',
        str(one), *_options(data, 2)
    ], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    two = tmp_path / 'two'
    outputs = run_ranks([
        'tools/train.py', DET_CFG, '--work-dir',
        str(two), '--launcher', 'pytorch', *_options(data, 1),
        'env_cfg.dist_cfg.init_method={init_method}',
        'env_cfg.dist_cfg.timeout=120'
    ])
    assert 'MMCPUDistributedDataParallel' in outputs[0]
    ckpts = [
        torch.load(d / 'iter_3.pth', map_location='cpu', weights_only=False)
        for d in (one, two)
    ]
    first = torch.load(one / 'iter_1.pth', weights_only=False)['state_dict']
    weights = [c['state_dict'] for c in ckpts]
    assert weights[0].keys() == weights[1].keys()
    moved = 0
    for key, value in weights[0].items():
        # equal within float32 rounding: the ranks' gradients are summed by
        # gloo in another order than one process sums its batch
        torch.testing.assert_close(weights[1][key], value, rtol=1e-4,
                                   atol=1e-6, msg=key)
        moved += int(not torch.allclose(value, first[key]))
    assert moved > 10  # iterations 2 and 3 trained
    momentum = [{
        k: s['momentum_buffer']
        for k, s in c['optimizer']['state'].items()
    } for c in ckpts]
    assert momentum[0].keys() == momentum[1].keys() and momentum[0]
    for key, value in momentum[0].items():
        torch.testing.assert_close(momentum[1][key], value, rtol=1e-4,
                                   atol=1e-6)
