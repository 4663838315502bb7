# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""NAD path hit rate on 2x2 mosaics (the official ``cam_2x2.py``).

Each mosaic pastes one validation image of 4 distinct searched classes
(tiles resized to ``--tile``), and is resized to the network input. For each
quadrant's class, its binary path goes into every gate; at each gated layer
the channel sum of the output, min-max normalised and resized to the input,
keeps its top ``--rate`` pixels; the hit is the share of them inside the
class's quadrant. Per layer: mean of the 4 quadrants, then mean and std over
mosaics (chance level 0.25)::

    python tools/analysis/nad_hit_rate.py CONFIG CHECKPOINT PATH_DIR \\
        --num 100 --rate 0.1 --seed 0 --out-dir work_dirs/nad_r50/hit_rate
"""
import argparse
import json
import os
import os.path as osp
import sys
import warnings

import numpy as np

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import DictAction  # noqa: E402
from mmengine.logging import print_log  # noqa: E402

# yapf: disable
from projects.nad import (NADGates, indices_by_class,  # noqa: E402
                          load_paths, make_mosaic, resize_image,
                          sample_mosaics)
from projects.nad.analysis_utils import (build_split_dataset,  # noqa: E402
                                         eval_epoch, load_classifier,
                                         read_image, tool_logger)
# yapf: enable
from projects.nad.hit_rate import mosaic_hits  # noqa: E402
from projects.nad.visualize import draw_mosaic_maps  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='the classifier config')
    parser.add_argument('checkpoint', help='the trained weights')
    parser.add_argument('path_dir', help='the work dir of nad_search.py')
    parser.add_argument(
        '--epoch',
        type=int,
        help='gates of this epoch (default: the config\'s nad.eval_epoch, '
        'else the last searched epoch)')
    parser.add_argument('--num', type=int, default=100, help='mosaics')
    parser.add_argument('--rate',
                        type=float,
                        default=0.1,
                        help='top-pixel rate (official '
                        '0.1)')
    parser.add_argument('--seed', type=int, default=0, help='mosaic draw')
    parser.add_argument(
        '--input-size',
        type=int,
        default=224,
        help='network input side (the mosaic is resized to it)')
    parser.add_argument('--tile',
                        type=int,
                        help='tile side (default: --input-size)')
    parser.add_argument('--split', default='val', choices=['val', 'test'])
    parser.add_argument('--draw',
                        type=int,
                        default=1,
                        help='pictures of the first N mosaics')
    parser.add_argument('--out-dir', help='default: PATH_DIR/hit_rate')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options',
                        nargs='+',
                        action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def summarize(hits: np.ndarray) -> dict:
    """(M, L, 4) hits -> per-layer mean and std over mosaics of the
    quadrant means (NaN quadrants left out and counted)."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        per_mosaic = np.nanmean(hits, axis=2)
        mean = np.nanmean(per_mosaic, axis=0)
        std = np.nanstd(per_mosaic, axis=0)
    return dict(mean=mean.tolist(),
                std=std.tolist(),
                undefined_quadrants=int(np.isnan(hits).sum()),
                last3_mean=float(np.nanmean(mean[-3:])))


def main(argv=None) -> dict:
    args = parse_args(argv)
    out_dir = args.out_dir or osp.join(args.path_dir, 'hit_rate')
    os.makedirs(out_dir, exist_ok=True)
    tool_logger('nad_hit_rate', out_dir)
    cfg, model = load_classifier(args.config, args.checkpoint, args.device,
                                 args.cfg_options)
    epoch = eval_epoch(args.path_dir, args.epoch, dict(cfg.get('nad', {})))
    paths = load_paths(args.path_dir, epoch)
    if not paths:
        raise FileNotFoundError(f'no class in {args.path_dir} has epoch '
                                f'{epoch}')
    first = next(iter(paths.values()))
    gates = NADGates(list(first),
                     channels=[int(m.shape[1]) for m in first.values()],
                     mode='binary').attach(model)
    dataset = build_split_dataset(cfg, args.split)
    images = {
        c: idx
        for c, idx in indices_by_class(dataset).items() if c in paths
    }
    mosaics = sample_mosaics(images, args.num, args.seed)
    size, tile = args.input_size, args.tile or args.input_size
    swap = bool(getattr(model.data_preprocessor, '_channel_conversion', False))
    print_log(
        f'NAD hit rate: {len(paths)} classes with paths (epoch {epoch}), '
        f'{args.num} mosaics, rate {args.rate}, seed {args.seed}',
        logger='current')
    all_hits = []
    for i, (classes, indices) in enumerate(mosaics):
        tiles = [read_image(dataset, j) for j in indices]
        image = resize_image(make_mosaic(tiles, tile), size)
        hits, maps = mosaic_hits(model,
                                 gates,
                                 paths,
                                 image,
                                 classes,
                                 args.rate,
                                 keep_maps=i < args.draw)
        all_hits.append(hits)
        if i < args.draw:
            rgb = image[..., ::-1] if swap else image
            draw_mosaic_maps(rgb, maps, classes, gates.positions, args.rate,
                             osp.join(out_dir, f'mosaic_{i:03d}.png'),
                             dataset.metainfo.get('classes'))
    hits = np.stack(all_hits)
    summary = summarize(hits)
    if summary['undefined_quadrants']:
        print_log(
            f'NAD hit rate: {summary["undefined_quadrants"]} (mosaic, layer, '
            'quadrant) maps were undefined (constant map or no pixel above '
            'the threshold) and left out of the means',
            logger='current')
    for name, mean, std in zip(gates.positions, summary['mean'],
                               summary['std']):
        print_log(f'{name:40s} hit rate {mean:.4f} +- {std:.4f}',
                  logger='current')
    result = dict(epoch=epoch,
                  num=args.num,
                  rate=args.rate,
                  seed=args.seed,
                  input_size=size,
                  tile=tile,
                  chance=0.25,
                  layers=list(gates.positions),
                  **summary,
                  mosaics=[dict(classes=c, images=i) for c, i in mosaics],
                  hits=hits.tolist())
    with open(osp.join(out_dir, 'hit_rate.json'), 'w') as f:
        json.dump(result, f, indent=1)
    print_log(
        f'NAD hit rate: mean of the last 3 layers {summary["last3_mean"]:.4f} '
        f'(chance 0.25); written to {out_dir}',
        logger='current')
    return result


if __name__ == '__main__':
    main()
