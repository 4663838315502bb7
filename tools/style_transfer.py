# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Stylise images with a trained (or converted) MANet / AdaIN checkpoint.

Each content image (a file or every image of a folder) is stylised with
each ``--style`` image, or, with ``--style-weights``, with their weighted
interpolation (official ``test.py``); ``--alpha`` trades style for content.
Images go through the config's test pipeline (shorter side 512, centre crop
512 in the recipes)::

    python tools/style_transfer.py \\
        configs/manet/manet_vgg19_1xb8-160k_coco-wikiart.py \\
        checkpoints/manet/manet_official_mm.pth --content input/content \\
        --style input/style/candy.jpg --out out/ \\
        --compare configs/manet/adain_vgg19_1xb8-160k_coco-wikiart.py adain.pth

Writes ``<content>_stylized_<style>.png`` (``_interpolation`` with weights)
and ``grid.png``: per row content, style(s), the model's result and, with
``--compare``, the second model's result.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import projects  # noqa: E402,F401  applies the compatibility fixes
import mmcv  # noqa: E402
import torch  # noqa: E402

from projects.manet.inference import (image_grid, list_images,  # noqa: E402
                                      load_rgb, load_style_model,
                                      test_pipeline)
from projects.manet.style_transfer_metric import to_uint8_bgr  # noqa: E402


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='model checkpoint')
    parser.add_argument('--content', nargs='+', required=True,
                        help='content image(s) or folder(s)')
    parser.add_argument('--style', nargs='+', required=True,
                        help='style image(s)')
    parser.add_argument('--style-weights', nargs='+', type=float,
                        help='interpolate the styles with these weights '
                        '(normalised to sum 1)')
    parser.add_argument('--alpha', type=float, default=1.0,
                        help='content-style trade-off in [0, 1]')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--compare', nargs=2,
                        metavar=('CONFIG', 'CHECKPOINT'),
                        help='a second model (e.g. AdaIN) for the grid')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)
    if args.style_weights and len(args.style_weights) != len(args.style):
        parser.error(f'--style-weights needs {len(args.style)} values, got '
                     f'{len(args.style_weights)}')
    return args


def _name(content: str, styles: List[str], interpolated: bool) -> str:
    stem = osp.splitext(osp.basename(content))[0]
    if interpolated:
        return f'{stem}_interpolation.png'
    return f'{stem}_stylized_{osp.splitext(osp.basename(styles[0]))[0]}.png'


def main(argv: Optional[List[str]] = None) -> List[str]:
    args = parse_args(argv)
    models = [load_style_model(args.config, args.checkpoint, args.device)]
    if args.compare:
        models.append(load_style_model(*args.compare, device=args.device))
    pipeline = test_pipeline(args.config)
    styles = {p: load_rgb(pipeline, p) for p in list_images(args.style)}
    groups = ([list(styles)] if args.style_weights else
              [[p] for p in styles])
    os.makedirs(args.out, exist_ok=True)
    written, rows = [], []
    for content_path in list_images(args.content):
        content = load_rgb(pipeline, content_path).to(args.device)
        for group in groups:
            outputs = []
            with torch.no_grad():
                for model in models:
                    outputs.append(model.stylise(
                        content, [styles[p].to(args.device) for p in group],
                        args.style_weights, args.alpha).clamp(0, 1)[0])
            path = osp.join(args.out, _name(content_path, group,
                                            bool(args.style_weights)))
            mmcv.imwrite(to_uint8_bgr(outputs[0]), path)
            written.append(path)
            rows.append([to_uint8_bgr(content[0])] +
                        [to_uint8_bgr(styles[p][0]) for p in group] +
                        [to_uint8_bgr(o) for o in outputs])
    grid = osp.join(args.out, 'grid.png')
    mmcv.imwrite(image_grid(rows), grid)
    print(f'wrote {len(written)} images and {grid}')
    return written + [grid]


if __name__ == '__main__':
    main()
