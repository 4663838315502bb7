# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Train a DGD demo config through tools/train.py (or tools/dist_train.sh)
at test size: 2 epochs of 3 iterations, 2-channel ResNet-20 peers."""
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence

import torch

REPO = Path(__file__).resolve().parents[2]
CFG_2_PEERS = 'configs/dgd/dgd-demo-dgd_resnet20-tiny_2peers-4e_toy-cls.py'
CFG_PER_RANK = ('configs/dgd/'
                'dgd-demo-dgd_resnet20-tiny_1peer-per-rank-4e_toy-cls.py')


def train(cfg: str,
          work_dir: Path,
          data: Path,
          *extra: str,
          port: Optional[int] = None,
          options: Sequence[str] = (),
          torchrun: Optional[Callable] = None) -> str:
    """Run one training; ``port`` runs it on 2 processes (``torchrun``, the
    conftest fixture, too, on a port it picks and retries), ``options`` are
    more ``--cfg-options``. Returns the output and rank 0's log files."""
    options = [
        *options,
        f'train_dataloader.dataset.data_root={data}/',
        f'val_dataloader.dataset.data_root={data}/',
        f'test_dataloader.dataset.data_root={data}/',
        'train_dataloader.batch_size=4', 'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2', 'model.classifier.backbone.depth=20',
        'model.classifier.backbone.base_channels=2',
        'model.classifier.backbone.stem_channels=2',
        'model.classifier.head.in_channels=8'
    ]
    tail = ['--work-dir', str(work_dir), *extra, '--cfg-options', *options]
    if torchrun is not None:
        proc = torchrun(['tools/dist_train.sh', cfg, '2', *tail], cwd=REPO)
    else:
        if port is None:
            command = [sys.executable, 'tools/train.py', cfg]
            env = dict(os.environ)
        else:
            command = ['bash', 'tools/dist_train.sh', cfg, '2']
            env = dict(os.environ, PYTHON=sys.executable, PORT=str(port))
        proc = subprocess.run([*command, *tail],
                              cwd=REPO,
                              env=env,
                              capture_output=True,
                              text=True,
                              timeout=400)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    logs = [p.read_text() for p in sorted(work_dir.glob('*/*.log'))]
    return '\n'.join([proc.stdout, proc.stderr, *logs])


def load(path: Path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)
