# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Cost of the NAD path search against plain training of the same network.

In one run, on the same device and the same generated shape images: one
plain training epoch over all classes (SGD, forward + backward of the
weights, batch ``--batch``), and one search epoch of each class (the
original pass, the gated pass, the backward to the gates and the normalised
step, batch ``--batch``, on that class's images). Prints the times, the
memory of one step (peak allocated on CUDA; on the CPU the bytes of the
tensors autograd saves for backward) and, last, the ratio of one class-epoch
to one plain epoch::

    python benchmarks/nad_search_cost.py [--arch demo|resnet50] [--size 32]
        [--per-class 48] [--batch 16] [--device cpu|cuda] [--threads N]

A whole search (every class, E epochs) sees every image E times: its cost
is about E x classes x the printed ratio plain epochs.
"""
import argparse
import os.path as osp
import sys
import tempfile
import time
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS, MODELS
from torch.utils.data import DataLoader

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.join(REPO, 'tools', 'misc'))
sys.path.insert(0, osp.join(REPO, 'benchmarks'))

# one way to measure step memory in benchmarks/: the DDL benchmark's
from ddl_loss import _memory as step_memory  # noqa: E402
from make_nad_shapes import SHAPE_CLASSES, make_shapes  # noqa: E402

from projects.nad import NADGates, NADPathSearch, class_subset  # noqa: E402

DEMO_CFG = osp.join(REPO, 'configs/nad/nad_resnet18-tiny_shapes-demo.py')


def _model(arch: str):
    init_default_scope('mmpretrain')
    if arch == 'demo':
        cfg = Config.fromfile(DEMO_CFG)
        model_cfg = dict(cfg.model, data_preprocessor=cfg.data_preprocessor)
        positions = cfg.nad['positions']
    else:
        model_cfg = dict(type='ImageClassifier',
                         backbone=dict(type='ResNet', depth=50),
                         neck=dict(type='GlobalAveragePooling'),
                         head=dict(type='LinearClsHead',
                                   num_classes=len(SHAPE_CLASSES),
                                   in_channels=2048),
                         data_preprocessor=dict(num_classes=len(SHAPE_CLASSES),
                                                mean=[123.675, 116.28, 103.53],
                                                std=[58.395, 57.12, 57.375],
                                                to_rgb=True))
        positions = 'resnet50'
    torch.manual_seed(0)
    return MODELS.build(model_cfg), positions


def _sync(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


def plain_epoch(model, dataset, batch: int, device: str) -> float:
    """Seconds of one SGD epoch over the whole dataset."""
    model.train()
    model.requires_grad_(True)
    optim = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loader = DataLoader(dataset,
                        batch_size=batch,
                        shuffle=True,
                        collate_fn=pseudo_collate)
    _sync(device)
    start = time.perf_counter()
    for data in loader:
        data = model.data_preprocessor(data, True)
        losses = model(**data, mode='loss')
        optim.zero_grad()
        sum(losses.values()).backward()
        optim.step()
    _sync(device)
    return time.perf_counter() - start


def trainstep_memory(model, batch_data, device: str) -> int:
    model.train()

    def _step():
        data = model.data_preprocessor(batch_data, True)
        sum(model(**data, mode='loss').values()).backward()

    return step_memory(_step, device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', default='demo', choices=['demo', 'resnet50'])
    parser.add_argument('--size', type=int, default=32, help='image side')
    parser.add_argument('--per-class', type=int, default=48)
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads',
                        type=int,
                        help='torch CPU threads (default: torch\'s)')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    tmp = tempfile.mkdtemp(prefix='nad_bench_')
    make_shapes(tmp, train=args.per_class, val=1, size=args.size)
    model, positions = _model(args.arch)
    model.to(args.device)
    dataset = DATASETS.build(
        dict(
            type='CustomDataset',
            data_root=tmp,
            data_prefix='train',
            with_label=True,
            pipeline=[dict(type='LoadImageFromFile'),
                      dict(type='PackInputs')]))
    batch_data = pseudo_collate([dataset[i] for i in range(args.batch)])

    plain_epoch(model, dataset, args.batch, args.device)  # warm-up
    t_plain = plain_epoch(model, dataset, args.batch, args.device)
    m_plain = trainstep_memory(model, batch_data, args.device)
    model.zero_grad(set_to_none=True)

    engine = NADPathSearch(model,
                           NADGates(positions, probe_size=args.size),
                           dataset,
                           osp.join(tmp, 'paths'),
                           beta=0.02,
                           epochs=1,
                           batch_size=args.batch)
    subsets = [class_subset(dataset, c) for c in range(len(SHAPE_CLASSES))]
    engine._epoch(subsets[0], 0, 1)  # warm-up
    times = []
    for label, subset in enumerate(subsets):
        _sync(args.device)
        start = time.perf_counter()
        engine._epoch(subset, label, 1)
        _sync(args.device)
        times.append(time.perf_counter() - start)
    t_class = sum(times) / len(times)
    first = batch_data['data_samples'][0].gt_label.item()
    m_search = step_memory(lambda: engine.step(batch_data, first), args.device)

    images = len(dataset)
    per_class = images / len(SHAPE_CLASSES)
    print(f'network {args.arch}, {args.size} px, {images} images '
          f'({len(SHAPE_CLASSES)} classes), batch {args.batch}, '
          f'device {args.device} ({torch.get_num_threads()} threads), '
          f'{len(engine.gates.positions)} gates')
    print(f'plain training epoch: {t_plain:.3f} s '
          f'({1e3 * t_plain / images:.2f} ms/image)')
    print(f'search class-epoch:   {t_class:.3f} s '
          f'({1e3 * t_class / per_class:.2f} ms/image)')
    print(f'step memory: training {m_plain / 2**20:.1f} MiB, search '
          f'{m_search / 2**20:.1f} MiB')
    print(f'per-image cost ratio search/training: '
          f'{(t_class / per_class) / (t_plain / images):.2f}')
    print(f'ratio class-epoch / plain epoch: {t_class / t_plain:.3f}')


if __name__ == '__main__':
    main()
