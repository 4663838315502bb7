# DeepMPV+ finger-gap / palm-centre detector: tiny-YOLOv3 (the public
# inference script's darknet model: input 416, 2 classes, conf 0.5, NMS
# 0.4) trained on MPD's VOC finger-gap set (release folder
# generation/1-finger_gap_point_detection). Schedule, augmentation and
# anchors are ours / darknet's yolov3-tiny.cfg defaults: the paper's
# training recipe was not found. Data layout:
#   data/mpd/original/{stem}.jpg, data/mpd/Annotations/{stem}.xml,
#   data/mpd/ImageSets/Main/{train,test}.txt
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['projects.deepmpv'], allow_failed_imports=False)

data_root = 'data/mpd/'
img_scale = (416, 416)
model = dict(
    type='YOLOV3',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[0, 0, 0],
        std=[255., 255., 255.],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(type='DarknetTiny', widen_factor=1.0, out_indices=(4, 6)),
    neck=dict(
        type='TinyYOLOV3Neck',
        in_channels=(256, 1024),
        lateral_channels=256,
        up_channels=128),
    bbox_head=dict(
        type='YOLOV3Head',
        num_classes=2,
        in_channels=[256, 384],
        out_channels=[512, 256],
        # yolov3-tiny.cfg anchors; its second [yolo] layer uses mask 1,2,3
        anchor_generator=dict(
            type='YOLOAnchorGenerator',
            base_sizes=[[(81, 82), (135, 169), (344, 319)],
                        [(23, 27), (37, 58), (81, 82)]],
            strides=[32, 16]),
        bbox_coder=dict(type='YOLOBBoxCoder'),
        featmap_strides=[32, 16],
        loss_cls=dict(
            type='CrossEntropyLoss',
            use_sigmoid=True,
            loss_weight=1.0,
            reduction='sum'),
        loss_conf=dict(
            type='CrossEntropyLoss',
            use_sigmoid=True,
            loss_weight=1.0,
            reduction='sum'),
        loss_xy=dict(
            type='CrossEntropyLoss',
            use_sigmoid=True,
            loss_weight=2.0,
            reduction='sum'),
        loss_wh=dict(type='MSELoss', loss_weight=2.0, reduction='sum')),
    train_cfg=dict(
        assigner=dict(
            type='GridAssigner',
            pos_iou_thr=0.5,
            neg_iou_thr=0.5,
            min_pos_iou=0)),
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        score_thr=0.05,
        conf_thr=0.005,
        nms=dict(type='nms', iou_threshold=0.4),
        max_per_img=20))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackDetInputs')
]
# annotations after Resize: the metric compares them with rescaled
# predictions in original pixels (as mmdet's VOC configs)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type='MPDGapDataset',
        data_root=data_root,
        ann_file='ImageSets/Main/train.txt',
        data_prefix=dict(sub_data_root=''),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='MPDGapDataset',
        data_root=data_root,
        ann_file='ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root=''),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# the script keeps detections with score > 0.5
val_evaluator = dict(
    type='PalmPointMetric', score_thr=0.5, match_radius=0.25,
    radius_unit='L')
test_evaluator = val_evaluator

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=5e-4),
    clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=1000),
    dict(type='MultiStepLR', by_epoch=True, milestones=[70, 90], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=5))
# generators in checkpoints: resume continues the same random stream
custom_hooks = [dict(type='RandomStateCheckpointHook')]
auto_scale_lr = dict(enable=False, base_batch_size=16)
