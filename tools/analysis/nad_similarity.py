# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Similarity of NAD sub-architectures and the misclassification analysis.

Per layer, the Jaccard index of two classes' binary paths; a pair's
similarity is its mean over layers (the official ``similarSubArch.py``).
Each class's ``--topk`` most similar sub-architectures are listed, and the
paper's analysis is measured on the ``--split`` set: how often an image the
(ungated) network misclassifies goes to a class among the ``--topk`` most
similar to its true class (chance: topk over the other searched classes),
and, per class, how many of its ``--topk`` most similar paths are among the
``--topk`` classes the network confuses it with most (mean softmax over the
class's images; the official script compares the top-3 of one image).
A path diagram (open channels per layer) of ``--draw-classes`` is drawn::

    python tools/analysis/nad_similarity.py CONFIG CHECKPOINT PATH_DIR \\
        --topk 3 --draw-classes 0 1 2 3
"""
import argparse
import json
import os
import os.path as osp
import sys

import numpy as np

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import DictAction  # noqa: E402
from mmengine.logging import print_log  # noqa: E402

# yapf: disable
from projects.nad import (binarize, layer_jaccard,  # noqa: E402
                          load_paths, misclassification_analysis,
                          most_similar, path_similarity, prediction_overlap)
from projects.nad.analysis_utils import (build_split_dataset,  # noqa: E402
                                         eval_epoch, load_classifier,
                                         predict_probs, tool_logger)
# yapf: enable
from projects.nad.visualize import draw_path_diagram  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='the classifier config')
    parser.add_argument('checkpoint', help='the trained weights')
    parser.add_argument('path_dir', help='the work dir of nad_search.py')
    parser.add_argument('--epoch',
                        type=int,
                        help='gates of this epoch (default as nad_hit_rate)')
    parser.add_argument('--topk', type=int, default=3)
    parser.add_argument('--split', default='val', choices=['val', 'test'])
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument(
        '--draw-classes',
        type=int,
        nargs='*',
        help='classes of the path diagram (default: the first 4)')
    parser.add_argument('--out-dir', help='default: PATH_DIR/similarity')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options',
                        nargs='+',
                        action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    out_dir = args.out_dir or osp.join(args.path_dir, 'similarity')
    os.makedirs(out_dir, exist_ok=True)
    tool_logger('nad_similarity', out_dir)
    if args.topk < 1:
        raise ValueError(f'--topk must be >= 1, got {args.topk}')
    cfg, model = load_classifier(args.config, args.checkpoint, args.device,
                                 args.cfg_options)
    epoch = eval_epoch(args.path_dir, args.epoch, dict(cfg.get('nad', {})))
    masks = load_paths(args.path_dir, epoch)
    if len(masks) < 2:
        raise ValueError(f'NAD similarity: {len(masks)} class(es) with '
                         f'epoch {epoch} in {args.path_dir}; 2 are needed')
    layers = list(next(iter(masks.values())))
    paths = {c: binarize(m) for c, m in masks.items()}
    classes, per_layer = layer_jaccard(paths)
    similarity = path_similarity(per_layer)
    similar = most_similar(similarity, classes, args.topk)
    dataset = build_split_dataset(cfg, args.split)
    names = dataset.metainfo.get('classes')
    gt, probs = predict_probs(model, dataset, args.batch_size)
    pred = probs.argmax(1)
    analysis = misclassification_analysis(gt, pred, similar, len(classes))
    overlap = prediction_overlap(gt, probs, similar)
    if analysis['without_path']:
        print_log(
            f'NAD similarity: {analysis["without_path"]} misclassified '
            'images have a true or predicted class without a path and are '
            'left out',
            logger='current')
    for c in classes:
        tops = ', '.join(f'{o} ({s:.3f})' for o, s in similar[c])
        print_log(f'class {c}: most similar {tops}', logger='current')
    print_log(
        f'NAD similarity: {analysis["to_similar"]}/{analysis["analysed"]} '
        f'misclassified images go to a top-{args.topk} similar class '
        f'(rate {analysis["rate"]:.3f}, chance {analysis["chance"]:.3f}; '
        f'accuracy {float((gt == pred).mean()):.4f})',
        logger='current')
    print_log(
        f'NAD similarity: top-{args.topk} similar paths vs the top-'
        f'{args.topk} classes the network confuses each class with: mean '
        f'overlap {overlap["mean_overlap"]:.3f} (chance '
        f'{overlap["chance"]:.3f})',
        logger='current')
    draw = args.draw_classes if args.draw_classes else classes[:4]
    missing = [c for c in draw if c not in paths]
    if missing:
        raise ValueError(f'--draw-classes {missing} have no path at epoch '
                         f'{epoch}')
    draw_path_diagram({c: paths[c]
                       for c in draw}, layers,
                      osp.join(out_dir, 'path_diagram.png'), names)
    off_diagonal = similarity[~np.eye(len(classes), dtype=bool)]
    result = dict(epoch=epoch,
                  classes=classes,
                  layers=layers,
                  layer_jaccard=per_layer.tolist(),
                  similarity=similarity.tolist(),
                  mean_off_diagonal=float(np.nanmean(off_diagonal)),
                  open_fraction={
                      c:
                      float(
                          sum(int(p.sum())
                              for p in paths[c]) / sum(p.numel()
                                                       for p in paths[c]))
                      for c in classes
                  },
                  most_similar={c: similar[c]
                                for c in classes},
                  misclassification=analysis,
                  prediction_overlap=overlap)
    with open(osp.join(out_dir, 'similarity.json'), 'w') as f:
        json.dump(result, f, indent=1)
    print_log(f'NAD similarity: written to {out_dir}', logger='current')
    return result


if __name__ == '__main__':
    main()
