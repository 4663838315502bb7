# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import projects.asfd  # noqa: F401

SCALES = [
    'asfd_d0_mobilenetv2', 'asfd_d1_resnet18', 'asfd_d2_resnet34',
    'asfd_d3_resnet50', 'asfd_d4_resnet101', 'asfd_d5_resnet152',
    'asfd_d6_resnet152'
]
# D0 runs at the training size 640; every other scale at 128 (the
# smallest input its 6 levels, strides 4 to 128, accept). Their 640 forward
# costs tens of CPU seconds each and is measured by
# benchmarks/asfd_complexity.py instead.
FORWARD_SIZES = {name: 128 for name in SCALES}
FORWARD_SIZES['asfd_d0_mobilenetv2'] = 640


def _forward(model, size):
    with torch.no_grad():
        cls_scores, bbox_preds = model._forward(torch.randn(1, 3, size, size))
    assert len(cls_scores) == 6
    assert cls_scores[0].shape == (1, 1, size // 4, size // 4)
    assert bbox_preds[-1].shape == (1, 4, size // 128, size // 128)


def test_every_scale_builds_grows_and_runs(repo_root):
    init_default_scope('mmdet')
    counts = []
    for name in SCALES:
        cfg = Config.fromfile(str(
            repo_root / f'configs/asfd/{name}_autofem_8xb8-80e_widerface.py'))
        cfg.model.backbone.init_cfg = None
        model = MODELS.build(cfg.model).eval()
        assert model.neck.out_channels == cfg.model.bbox_head.in_channels
        assert len(model.neck.fusions) == 1 + SCALES.index(name) // 2
        counts.append(sum(p.numel() for p in model.parameters()))
        _forward(model, FORWARD_SIZES[name])
    assert counts == sorted(counts) and len(set(counts)) == len(counts)


def test_widerface_train_pipeline_gives_square_640_crops(repo_root):
    import numpy as np
    from mmcv.transforms import Compose
    from mmdet.structures.bbox import HorizontalBoxes
    init_default_scope('mmdet')
    cfg = Config.fromfile(
        str(repo_root / f'configs/asfd/{SCALES[0]}_autofem_8xb8-80e_'
            'widerface.py'))
    pipeline = Compose(cfg.train_dataloader.dataset.pipeline[2:-1])
    rng = np.random.default_rng(0)
    shapes = set()
    for seed in range(4):
        np.random.seed(seed)
        boxes = np.array([[100, 80, 160, 150], [300, 200, 330, 240]],
                         dtype=np.float32)
        out = pipeline(dict(
            img=rng.integers(0, 255, (400, 700, 3), dtype=np.uint8),
            img_shape=(400, 700), ori_shape=(400, 700),
            gt_bboxes=HorizontalBoxes(boxes),
            gt_bboxes_labels=np.zeros(2, dtype=np.int64),
            gt_ignore_flags=np.zeros(2, dtype=bool)))
        if out is None:  # no face in the crop: the dataset resamples
            continue
        assert out['img'].shape == (640, 640, 3)
        b = out['gt_bboxes'].tensor
        assert len(b) >= 1 and (b >= 0).all() and (b <= 640).all()
        shapes.add(out['img_shape'])
    assert shapes  # at least one crop kept a face

    # boxes of 2 px or less (width or height) are dropped after the crop
    (step, ) = [t for t in cfg.train_dataloader.dataset.pipeline
                if t['type'] == 'FilterAnnotations']
    boxes = np.array([[10, 10, 11.5, 30], [10, 10, 30, 12],
                      [10, 10, 12.5, 12.5], [40, 40, 60, 70]],
                     dtype=np.float32)
    out = Compose([step])(dict(
        img=np.zeros((100, 100, 3), np.uint8), img_shape=(100, 100),
        gt_bboxes=HorizontalBoxes(boxes),
        gt_bboxes_labels=np.zeros(4, dtype=np.int64),
        gt_ignore_flags=np.zeros(4, dtype=bool)))
    assert out['gt_bboxes'].tensor.tolist() == boxes[2:].tolist()
    # test time: resized to fit 1333 x 800, aspect ratio kept (400 x 700 ->
    # x 1333 / 700), the same for validation
    (resize, ) = [t for t in cfg.test_dataloader.dataset.pipeline
                  if t['type'] == 'Resize']
    assert cfg.val_dataloader.dataset.pipeline == \
        cfg.test_dataloader.dataset.pipeline
    out = Compose([resize])(dict(img=np.zeros((400, 700, 3), np.uint8)))
    assert out['img_shape'] == (round(400 * 1333 / 700), 1333)
