# SemaTree CPU demo: a tiny ResNetV1c-18 with the full LIP tree trained on
# generated human figures with LIP part labels, then evaluated (mIoU).
# Data (about 10 s):
#   python tools/misc/make_human_parts.py data/demo/human_parts \
#       --num-train 200 --num-val 40 --size 64
# Train: python tools/train.py \
#   configs/sematree/sematree_r18-tiny_1xb4-300it_human-parts-demo.py
_base_ = 'mmseg::_base_/default_runtime.py'
custom_imports = dict(imports=['projects.sematree'], allow_failed_imports=False)

data_root = 'data/demo/human_parts/'
crop_size = (64, 64)
lip_tree = [[0],
            [[1, 2, 4, 13],
             [[5, 6, 7, 11], [3, 14, 15]],
             [[9, 10, 12, 16, 17], [8, 18, 19]]]]
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=crop_size),
    backbone=dict(
        type='ResNetV1c',
        depth=18,
        stem_channels=16,
        base_channels=8,
        out_indices=(0, 1, 2, 3),
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 2),
        norm_cfg=norm_cfg,
        contract_dilation=True),
    decode_head=dict(
        type='SemanticNeuralTreeHead',
        tree=lip_tree,
        num_classes=20,
        in_channels=[8, 16, 32, 64],
        in_index=[0, 1, 2, 3],
        channels=32,
        transform_channels=(16, 16, 16),
        leaf_channels=(16, 16, 16),
        fusion_channels=(32, 32),
        se_ratio=4,
        # CPU demo choice: mmcv's CPU deformable conv makes a training step
        # ~5x slower here, so plain 3x3 convs stand in for DCNv2 (the paper
        # configs and the tests keep DCNv2).
        dcn_cfg=dict(type='Conv2d'),
        norm_cfg=norm_cfg,
        act_cfg=dict(type='LeakyReLU', negative_slope=0.01),
        align_corners=True),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=crop_size,
        ratio_range=(0.75, 1.25),
        keep_ratio=True),
    dict(type='RandomRotate', prob=0.6, degree=30, pad_val=0, seg_pad_val=0),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(
        type='RandomFlip',
        prob=0.5,
        direction='horizontal',
        swap_seg_labels=[(14, 15), (16, 17), (18, 19)]),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='LIPDataset',
        data_root=data_root,
        data_prefix=dict(
            img_path='images/train', seg_map_path='annotations/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='LIPDataset',
        data_root=data_root,
        data_prefix=dict(
            img_path='images/val', seg_map_path='annotations/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# Demo choice (not the paper's): AdamW converges in a few hundred CPU
# iterations where the paper's SGD lr 1e-3 needs 150 epochs.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=3e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.8, begin=0, end=300,
         by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=300, val_interval=300)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=150),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
