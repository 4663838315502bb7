# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Run the DGD demo variants on the CPU and print one table.

baseline / grafting / distillation / DGD, and offline distillation from
peer 0 of the baseline run; 2 tiny CIFAR ResNet-20 peers on the generated
colour set (written if missing)::

    python tools/misc/dgd_demo.py --data data/toy --work-dir work_dirs/dgd

Columns: top-1 of peer 0 on the val split, invalid filters (L1 < 0.1) and
mean conv entropy of peer 0's final weights.
"""
import argparse
import os.path as osp
import re
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
sys.path.insert(0, osp.join(REPO, 'tools', 'misc'))

from filter_validity import filter_validity, load_state_dict  # noqa: E402
from make_toy_data import make_toy_data  # noqa: E402

# the offline variant's teacher is peer 0 of the baseline run, so the
# baseline goes first
VARIANTS = ('baseline', 'grafting', 'distillation', 'dgd',
            'offline-distillation')
CFG = 'configs/dgd/dgd-demo-{}_resnet20-tiny_2peers-4e_toy-cls.py'


def run_variant(variant: str, data: str, work_dir: str, epochs: int) -> dict:
    """Train one variant through tools/train.py and measure it."""
    out = osp.join(work_dir, variant)
    cls_root = osp.join(data, 'cls') + '/'
    cmd = [
        sys.executable, 'tools/train.py',
        CFG.format(variant), '--work-dir', out, '--cfg-options',
        f'train_dataloader.dataset.data_root={cls_root}',
        f'val_dataloader.dataset.data_root={cls_root}',
        f'test_dataloader.dataset.data_root={cls_root}',
        f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}'
    ]
    if variant.startswith('offline'):
        teacher = osp.join(work_dir, 'baseline', f'epoch_{epochs}.pth')
        cmd.append(f'model.teacher_ckpt={osp.abspath(teacher)}')
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f'{variant} failed:\n{proc.stderr[-3000:]}')
    found = re.findall(r'accuracy/top1: ([0-9.]+)', proc.stdout + proc.stderr)
    state = load_state_dict(osp.join(out, f'epoch_{epochs}.pth'))
    peer0 = {
        k[len('peers.0.'):]: v
        for k, v in state.items() if k.startswith('peers.0.')
    }
    rows = filter_validity(peer0, threshold=0.1)
    return dict(top1=float(found[-1]) if found else float('nan'),
                invalid=sum(r['invalid'] for r in rows),
                filters=sum(r['filters'] for r in rows),
                entropy=sum(r['entropy'] for r in rows) / len(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default='data/toy')
    parser.add_argument('--work-dir', default='work_dirs/dgd_demo')
    parser.add_argument('--epochs', type=int, default=4)
    parser.add_argument('--variants',
                        nargs='+',
                        choices=VARIANTS,
                        default=list(VARIANTS),
                        help='variants to run, in this order (offline '
                        'distillation needs the baseline run)')
    args = parser.parse_args()
    if not osp.isdir(osp.join(args.data, 'cls')):
        make_toy_data(args.data)
    results = {
        v: run_variant(v, args.data, args.work_dir, args.epochs)
        for v in args.variants
    }
    print('| variant | peer-0 top-1 (%) | invalid filters (L1<0.1) | '
          'mean conv entropy |')
    print('|---|---|---|---|')
    for variant, r in results.items():
        print(f"| {variant} | {r['top1']:.2f} | {r['invalid']}/{r['filters']}"
              f" | {r['entropy']:.3f} |")


if __name__ == '__main__':
    main()
