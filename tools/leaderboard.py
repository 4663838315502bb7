# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Collect the metrics of several runs into one sorted Markdown table.

For each work dir: the last evaluation metrics mmengine wrote (validation
scalars or test results) and the model's parameters and GFLOPs at the
benchmark input size, built from the config the run dumped::

    python tools/leaderboard.py work_dirs/a work_dirs/b \
        --sort-key icartoonface/AP50 --input-size 1920 1080 --out board.md
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import projects  # noqa: E402,F401
from mmengine.config import Config  # noqa: E402

from projects.facedet.leaderboard import (build_from_work_dir,  # noqa: E402
                                          format_markdown, latest_metrics,
                                          leaderboard_row, run_config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dirs', nargs='+', help='run work dirs')
    parser.add_argument('--sort-key', help='metric to sort by (descending)')
    parser.add_argument(
        '--input-size', type=int, nargs=2, default=(1920, 1080),
        metavar=('W', 'H'), help='input size for GFLOPs')
    parser.add_argument('--out', default='leaderboard.md',
                        help='Markdown file to write')
    args = parser.parse_args()
    rows = []
    for work_dir in args.work_dirs:
        if not osp.isdir(work_dir):
            parser.error(f'{work_dir} is not a directory')
        config = run_config(work_dir)
        if config is not None:
            Config.fromfile(config)  # loads custom_imports
        model = build_from_work_dir(work_dir)
        rows.append(
            leaderboard_row(
                osp.basename(osp.normpath(work_dir)), latest_metrics(work_dir),
                model, (args.input_size[1], args.input_size[0])))
    table = format_markdown(rows, args.sort_key)
    print(table)
    with open(args.out, 'w') as f:
        f.write(table + '\n')
    print(f'written to {args.out}')


if __name__ == '__main__':
    main()
