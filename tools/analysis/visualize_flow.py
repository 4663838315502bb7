# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Write colour-wheel PNGs of predicted flow, ground truth and error.

For the first ``--num`` samples of a config's test set, one PNG per sample:
frame 1 | prediction | ground truth | end-point error (black 0 px to white
``--max-err`` px), prediction and ground truth on one colour scale. Without
ground truth only frame 1 | prediction is written.

Example:
    python tools/analysis/visualize_flow.py \\
        configs/arflow/arflow_pwclite-ar_1xb4-400it_flow-pairs-demo-64x128.py \\
        work_dirs/demo/iter_400.pth --out-dir work_dirs/demo/vis --num 8
"""
import argparse
import os
import os.path as osp
import sys

import cv2
import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
import projects  # noqa: E402,F401  compatibility fixes
from projects.arflow.visualization import error_to_rgb, flow_to_rgb  # noqa


def _panel(sample, frame: np.ndarray, max_err: float) -> np.ndarray:
    pred = sample.pred_flow_fw.data.cpu().numpy().transpose(1, 2, 0)
    frame = cv2.resize(frame, pred.shape[1::-1])
    tiles = [frame]
    if 'gt_flow_fw' in sample:
        gt = sample.gt_flow_fw.data.cpu().numpy().transpose(1, 2, 0)
        scale = float(np.sqrt((gt**2).sum(-1)).max())
        valid = sample.gt_valid_fw.data.cpu().numpy()[0] > 0 \
            if 'gt_valid_fw' in sample else np.ones(gt.shape[:2], bool)
        epe = np.sqrt(((pred - gt)**2).sum(-1)) * valid
        tiles += [flow_to_rgb(pred, scale), flow_to_rgb(gt, scale),
                  error_to_rgb(epe, max_err)]
    else:
        tiles.append(flow_to_rgb(pred))
    return np.concatenate(tiles, axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--num', type=int, default=8)
    parser.add_argument('--max-err', type=float, default=3.0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    import projects.arflow  # noqa: F401
    from mmseg.registry import DATASETS, MODELS
    model_cfg = cfg.model.copy()
    model_cfg['flow_net'] = dict(model_cfg['flow_net'], init_cfg=None)
    model = MODELS.build(model_cfg).eval()
    load_checkpoint(model, args.checkpoint, map_location='cpu')
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    os.makedirs(args.out_dir, exist_ok=True)
    for index in range(min(args.num, len(dataset))):
        item = dataset[index]
        batch = model.data_preprocessor(pseudo_collate([item]))
        with torch.no_grad():
            sample = model.predict(batch['inputs'], batch['data_samples'])[0]
        frame = cv2.imread(sample.img_paths[0], cv2.IMREAD_COLOR)
        panel = _panel(sample, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB),
                       args.max_err)
        stem = osp.splitext(
            sample.get('submission_path', f'{index:06d}.png'))[0]
        path = osp.join(args.out_dir, stem.replace('/', '_') + '.png')
        cv2.imwrite(path, cv2.cvtColor(panel, cv2.COLOR_RGB2BGR))
        print(path)


if __name__ == '__main__':
    main()
