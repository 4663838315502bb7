# ASFD-D0: MobileNetV2 + Auto-FEM (default genotype) + DRMC head, WIDER FACE,
# 640x640 input. D1..D6 inherit this file and scale backbone, FEM width and
# depth and head depth (configs/asfd/README.md).
_base_ = '../_base_/datasets/widerface_txt.py'
custom_imports = dict(imports=['projects.asfd'], allow_failed_imports=False)
default_scope = 'mmdet'

# Compound-scaling knobs of D0.
fem_channels = 64
fem_repeats = 1
head_depth = 3
image_size = 640
strides = [4, 8, 16, 32, 64, 128]

model = dict(
    type='ASFD',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=128),
    backbone=dict(
        type='MobileNetV2',
        out_indices=(1, 2, 4, 6),
        norm_cfg=dict(type='BN', requires_grad=True),
        init_cfg=dict(
            type='Pretrained', checkpoint='open-mmlab://mmdet/mobilenet_v2')),
    neck=dict(
        type='AutoFEM',
        in_channels=[24, 32, 96, 320],
        out_channels=fem_channels,
        num_outs=len(strides),
        num_repeats=fem_repeats,
        # None: projects.asfd.DEFAULT_GENOTYPE; or a searched genotype.json.
        genotype=None),
    bbox_head=dict(
        type='RetinaHead',
        num_classes=1,
        in_channels=fem_channels,
        feat_channels=fem_channels,
        stacked_convs=head_depth,
        anchor_generator=dict(
            type='AnchorGenerator',
            # One square anchor of 4x the stride per location (16..512 px).
            octave_base_scale=4,
            scales_per_octave=1,
            ratios=[1.0],
            strides=strides),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[.0, .0, .0, .0],
            target_stds=[0.1, 0.1, 0.2, 0.2]),
        # DRMC: margin-based classification + distance-based (DIoU)
        # regression on decoded boxes.
        reg_decoded_bbox=True,
        loss_cls=dict(
            type='MarginCrossEntropyLoss',
            use_sigmoid=True,
            use_focal=True,
            margin=0.2,
            scale=1.0,
            loss_weight=1.0),
        loss_bbox=dict(type='DIoULoss', loss_weight=2.0)),
    train_cfg=dict(
        assigner=dict(
            type='MaxIoUAssigner',
            pos_iou_thr=0.35,
            neg_iou_thr=0.35,
            min_pos_iou=0.2,
            ignore_iof_thr=-1),
        sampler=dict(type='PseudoSampler'),
        allowed_border=-1,
        pos_weight=-1,
        debug=False),
    test_cfg=dict(
        nms_pre=5000,
        min_bbox_size=0,
        score_thr=0.01,
        nms=dict(type='nms', iou_threshold=0.4),
        max_per_img=750))

# WIDER FACE, the face detectors' recipe of the time: photometric distortion,
# a square 640 crop out of an image rescaled so that the crop covers 30-100%
# of its short side, flip. Data, test pipeline and the official Easy/Medium/
# Hard evaluation come from the shared WIDER FACE base config.
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PhotoMetricDistortion'),
    dict(
        type='RandomResize',
        scale=(100000, image_size),
        ratio_range=(1.0, 1 / 0.3),
        keep_ratio=True),
    dict(
        type='RandomCrop',
        crop_size=(image_size, image_size),
        crop_type='absolute',
        allow_negative_crop=False),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(2, 2), keep_empty=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='Pad', size=(image_size, image_size)),
    dict(type='PackDetInputs')
]
train_dataloader = dict(
    batch_sampler=None, dataset=dict(pipeline=train_pipeline))

max_epochs = 80
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4),
    clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=1000),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=0,
        end=max_epochs,
        eta_min=1e-5)
]
auto_scale_lr = dict(enable=False, base_batch_size=64)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=5, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='DetVisualizationHook'))
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='DetLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
