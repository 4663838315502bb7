# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""tiny-YOLOv3 backbone and neck, the MPD detection datasets and the
point metric on hand-made detections."""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from projects.deepmpv.evaluation import PalmPointMetric, match_points
from projects.deepmpv.models import DarknetTiny, TinyYOLOV3Neck

DEMO = 'configs/deepmpv/deepmpv_tiny-yolov3-w0.25_1xb8-600it_palms-demo.py'


def test_darknet_tiny_strides_channels_and_gradients():
    net = DarknetTiny(widen_factor=0.25, out_indices=(0, 4, 6))
    assert net.out_channels == (4, 64, 256)
    x = torch.rand(2, 3, 64, 96, requires_grad=True)
    outs = net(x)
    # layer i has stride 2^min(i, 5); the stride-1 pool keeps 2x3
    assert [tuple(o.shape) for o in outs] == [(2, 4, 64, 96),
                                              (2, 64, 4, 6), (2, 256, 2, 3)]
    outs[-1].sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    full = DarknetTiny()
    assert full.out_channels == (256, 1024)
    # darknet's yolov3-tiny.cfg backbone: 7 convs, 8.6M weights in total
    # with its head, of which the backbone holds the 3x3 layers
    num = sum(p.numel() for p in full.parameters())
    expected = sum(9 * i * o + 2 * o for i, o in zip(
        (3, 16, 32, 64, 128, 256, 512), (16, 32, 64, 128, 256, 512, 1024)))
    assert num == expected
    with pytest.raises(ValueError, match='out_indices'):
        DarknetTiny(out_indices=(7, ))
    with pytest.raises(ValueError, match='widen_factor'):
        DarknetTiny(widen_factor=0)


def test_same_pad_max_pool_ignores_the_border():
    net = DarknetTiny(widen_factor=0.25)
    x = -torch.arange(9.).reshape(1, 1, 3, 3)
    out = net.pools[5](x)
    # max of each 2x2 window clipped to the image
    assert torch.equal(out[0, 0], torch.tensor([[0., -1, -2], [-3, -4, -5],
                                                [-6, -7, -8]]))


def test_tiny_neck_shapes_and_bad_input():
    neck = TinyYOLOV3Neck(in_channels=(64, 256), lateral_channels=64,
                          up_channels=32)
    p32, p16 = neck((torch.rand(2, 64, 10, 10), torch.rand(2, 256, 5, 5)))
    assert p32.shape == (2, 64, 5, 5) and p16.shape == (2, 96, 10, 10)
    assert neck.out_channels == (64, 96)
    with pytest.raises(ValueError, match='expects 2 feature maps'):
        neck((torch.rand(1, 64, 4, 4), ))
    with pytest.raises(ValueError, match='in_channels'):
        TinyYOLOV3Neck(in_channels=(1, 2, 3))


def test_demo_detector_predicts_two_scales():
    init_default_scope('mmdet')
    from mmdet.registry import MODELS
    cfg = Config.fromfile(DEMO)
    model = MODELS.build(cfg.model)
    model.eval()
    outs = model._forward(torch.rand(1, 3, 96, 96))
    # (pred maps) x 2 scales, 3 anchors x (4 + 1 + 2 classes)
    assert [tuple(o.shape) for o in outs[0]] == [(1, 21, 3, 3),
                                                 (1, 21, 6, 6)]


def test_match_points_is_one_to_one_and_greedy():
    gt = np.array([[0., 0.], [10., 0.]])
    pred = np.array([[1., 0.], [2., 0.], [30., 0.]])
    assert match_points(gt, pred, 5.0) == [(0, 0, 1.0)]
    assert match_points(gt, pred, 9.0) == [(0, 0, 1.0), (1, 1, 8.0)]
    assert match_points(gt, np.zeros((0, 2)), 5.0) == []


def _sample(gt_boxes, gt_labels, boxes, labels, scores):
    return dict(
        img_path='x.jpg',
        gt_instances=InstanceData(
            bboxes=torch.tensor(gt_boxes, dtype=torch.float32),
            labels=torch.tensor(gt_labels)),
        pred_instances=InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
            labels=torch.tensor(labels, dtype=torch.long),
            scores=torch.tensor(scores, dtype=torch.float32)))


def test_point_metric_by_hand():
    gt_boxes = [[8, 8, 12, 12], [48, 8, 52, 12], [28, 38, 32, 42]]
    gt_labels = [0, 0, 1]  # gaps (10, 10), (50, 10); centre (30, 40); L=40
    metric = PalmPointMetric(score_thr=0.5, match_radius=0.25)
    # image 1: gaps off by 3 and 4 px, centre off by 5, one low score
    one = _sample(gt_boxes, gt_labels,
                  [[11, 8, 15, 12], [48, 12, 52, 16], [31, 42, 35, 46],
                   [0, 0, 4, 4]], [0, 0, 1, 0], [0.9, 0.8, 0.7, 0.3])
    # image 2: one gap found, a false gap 30 px away (> 0.25 L = 10)
    two = _sample(gt_boxes, gt_labels, [[8, 8, 12, 12], [88, 8, 92, 12]],
                  [0, 0], [0.9, 0.9])
    metric.process({}, [one, two])
    res = metric.compute_metrics(metric.results)
    assert res['gap_recall'] == pytest.approx(100 * 3 / 4)
    assert res['gap_precision'] == pytest.approx(100 * 3 / 4)
    assert res['gap_error_px'] == pytest.approx((3 + 4 + 0) / 3)
    assert res['centre_recall'] == pytest.approx(50.0)
    assert res['centre_error_px'] == pytest.approx(5.0)
    # image 2 has no centre: only image 1 yields an ROI
    assert res['roi_rate'] == pytest.approx(50.0)
    assert res['pair_error_px'] == pytest.approx(3.5)


def test_point_metric_bad_input():
    with pytest.raises(ValueError, match='radius_unit'):
        PalmPointMetric(radius_unit='cm')
    metric = PalmPointMetric()
    one_gap = _sample([[8, 8, 12, 12]], [0], [], [], [])
    with pytest.raises(ValueError, match='ground-truth finger gaps'):
        metric.process({}, [one_gap])
    with pytest.raises(KeyError, match='LoadAnnotations'):
        metric.process({}, [dict(pred_instances=None)])


def test_gap_dataset_renames_counts_and_rejects(palm_root, tmp_path):
    init_default_scope('mmdet')
    from mmdet.registry import DATASETS
    root = tmp_path / 'voc'
    (root / 'Annotations').mkdir(parents=True)
    (root / 'original').symlink_to(palm_root / 'original')
    xml = ('<annotation><size><width>128</width><height>128</height></size>'
           '{}</annotation>')
    obj = ('<object><name>{}</name><bndbox><xmin>2</xmin><ymin>3</ymin>'
           '<xmax>6</xmax><ymax>9</ymax></bndbox></object>')
    (root / 'Annotations' / '001_1_h_l_01.xml').write_text(xml.format(
        obj.format('double-finger-gap') + obj.format('palm-center') +
        obj.format('thumb')))
    (root / 'ids.txt').write_text('001_1_h_l_01\n')
    ds = DATASETS.build(dict(type='MPDGapDataset', data_root=str(root),
                             ann_file='ids.txt',
                             data_prefix=dict(sub_data_root=''),
                             pipeline=[]))
    inst = ds[0]['instances']
    assert [i['bbox_label'] for i in inst] == [0, 1]
    assert inst[0]['bbox'] == [1, 2, 5, 8]
    assert ds.num_unknown_objects == 1
    (root / 'Annotations' / '001_1_h_l_01.xml').write_text(
        xml.format('<object><name>finger_gap</name></object>'))
    with pytest.raises(ValueError, match='without <name> or <bndbox>'):
        DATASETS.build(dict(type='MPDGapDataset', data_root=str(root),
                            ann_file='ids.txt',
                            data_prefix=dict(sub_data_root='')))


def test_point_dataset_boxes_and_errors(palm_root, tmp_path):
    init_default_scope('mmdet')
    from mmdet.registry import DATASETS
    cfg = dict(type='MPDPointDataset', data_root=str(palm_root),
               ann_file='points.txt', split_file='ImageSets/Main/test.txt',
               data_prefix=dict(img='original/'), pipeline=[])
    ds = DATASETS.build(cfg)
    assert len(ds) == 16
    info = ds.get_data_info(0)
    a, b = info['instances'][0]['point'], info['instances'][2]['point']
    length = np.hypot(a[0] - b[0], a[1] - b[1])
    box = info['instances'][0]['bbox']
    assert box[2] - box[0] == pytest.approx(0.5 * length, rel=1e-6)
    assert np.mean([box[0], box[2]]) == pytest.approx(a[0])
    px = DATASETS.build(dict(cfg, box_unit='px',
                             box_sizes=dict(finger_gap=6, palm_center=10)))
    box = px.get_data_info(0)['instances'][3]['bbox']
    assert box[2] - box[0] == pytest.approx(10)
    bad = tmp_path / 'bad.txt'
    bad.write_text('001_1_h_l_01.jpg finger_gap 3.0\n')
    with pytest.raises(ValueError, match=r'bad.txt:1: expected'):
        DATASETS.build(dict(cfg, ann_file=str(bad), split_file=None))
    bad.write_text('001_1_h_l_01.jpg thumb 3 4\n')
    with pytest.raises(ValueError, match="class 'thumb'"):
        DATASETS.build(dict(cfg, ann_file=str(bad), split_file=None,
                            box_unit='px'))
