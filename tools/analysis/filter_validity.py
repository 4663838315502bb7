# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Per-layer invalid filters and weight entropy of one or more checkpoints.

The analysis of filter grafting / DGD (arXiv 2001.05868, 2004.12311): a
filter is invalid when its L1 norm is below a threshold; grafting should
reactivate such filters and raise the layers' entropy::

    python tools/analysis/filter_validity.py A.pth B.pth --threshold 0.1 \\
        --plot validity.png

Every conv weight (3-D or more, as grafting detects convs) of each
checkpoint's ``state_dict`` is a row; DGD checkpoints list each peer's
layers (``peers.<i>.``), those of one peer per rank too (rank g's peer,
kept in ``dgd_rank_states``, as ``peers.<g>.``).
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Sequence

import torch

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from projects.dgd.grafting_math import weight_entropy  # noqa: E402
from projects.dgd.peer_checkpoint import all_peer_weights  # noqa: E402


def filter_validity(state_dict: Dict[str, torch.Tensor],
                    threshold: float = 0.1,
                    bins: int = 10) -> List[dict]:
    """Rows ``dict(layer, filters, invalid, entropy)`` per conv weight.

    Args:
        state_dict (dict[str, Tensor]): Model weights.
        threshold (float): L1 norm below which a filter is invalid.
            Defaults to 0.1.
        bins (int): Histogram bins of the entropy. Defaults to 10.

    Returns:
        list[dict]: One row per conv layer, in state-dict order.
    """
    rows = []
    for key, value in state_dict.items():
        if not key.endswith('weight') or value.ndim < 3:
            continue
        l1 = value.detach().float().abs().flatten(1).sum(dim=1)
        rows.append(
            dict(layer=key[:-len('.weight')],
                 filters=int(l1.numel()),
                 invalid=int((l1 < threshold).sum()),
                 entropy=weight_entropy(value, bins)))
    return rows


def load_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """The ``state_dict`` of an mmengine checkpoint (or a bare dict); with
    one DGD peer per rank, every rank's peer as ``peers.<rank>.``."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'filter_validity: no checkpoint at {path}')
    ckpt = torch.load(path, map_location='cpu', weights_only=False)
    if not isinstance(ckpt, dict):
        raise ValueError(f'filter_validity: {path} holds no state_dict')
    try:
        return all_peer_weights(ckpt)
    except ValueError as error:
        raise ValueError(f'filter_validity: {path}: {error}') from None


def format_table(names: Sequence[str], tables: Sequence[List[dict]]) -> str:
    """One line per layer: invalid/filters and entropy for each checkpoint."""
    header = ['layer'] + [f'{n} invalid | H' for n in names]
    layers = list(dict.fromkeys(r['layer'] for t in tables for r in t))
    lines = [' | '.join(header)]
    by_layer = [{r['layer']: r for r in t} for t in tables]
    for layer in layers:
        cells = [layer]
        for rows in by_layer:
            r = rows.get(layer)
            cells.append('-' if r is None else
                         f"{r['invalid']}/{r['filters']} | {r['entropy']:.3f}")
        lines.append(' | '.join(cells))
    totals = ['total invalid'] + [
        f"{sum(r['invalid'] for r in t)}/{sum(r['filters'] for r in t)}"
        for t in tables
    ]
    lines.append(' | '.join(totals))
    return '\n'.join(lines)


def plot(names: Sequence[str], tables: Sequence[List[dict]], out: str) -> None:
    """Invalid filters and entropy per layer, one line per checkpoint."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    for name, rows in zip(names, tables):
        top.plot([r['invalid'] for r in rows], marker='o', label=name)
        bottom.plot([r['entropy'] for r in rows], marker='o', label=name)
    top.set_ylabel('invalid filters')
    bottom.set_ylabel('entropy (nats)')
    bottom.set_xlabel('conv layer (state-dict order)')
    top.legend()
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def main(argv: Sequence[str] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoints', nargs='+', help='checkpoint files')
    parser.add_argument('--threshold',
                        type=float,
                        default=0.1,
                        help='L1 norm below which a filter is invalid')
    parser.add_argument('--bins', type=int, default=10)
    parser.add_argument('--plot', help='write the plot to this image')
    args = parser.parse_args(argv)
    if args.threshold < 0:
        parser.error('--threshold must be >= 0')
    names = [osp.basename(p) for p in args.checkpoints]
    tables = [
        filter_validity(load_state_dict(p), args.threshold, args.bins)
        for p in args.checkpoints
    ]
    print(format_table(names, tables))
    if args.plot:
        plot(names, tables, args.plot)
        print(f'plot written to {args.plot}')


if __name__ == '__main__':
    main()
