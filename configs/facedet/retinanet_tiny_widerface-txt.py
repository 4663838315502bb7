# A tiny RetinaNet on WIDER FACE-format data (official text annotations),
# scored with the WIDER FACE protocol on the dataset's own annotations
# (setting 'all': ignore boxes ignored). It shows the shared face-detection
# room end to end; for the real benchmark use
# configs/_base_/datasets/widerface_txt.py, whose metric reads the official
# .mat files (Easy/Medium/Hard).
# Data layout under data_root: images/<event>/<name>.jpg, train_bbx_gt.txt,
# val_bbx_gt.txt (see tests/test_facedet/test_widerface_dataset.py).
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
    '../_base_/datasets/widerface_txt.py'
]
custom_imports = dict(imports=['projects.facedet'], allow_failed_imports=False)

data_root = 'data/widerface_tiny/'

model = dict(
    data_preprocessor=dict(pad_size_divisor=32),
    backbone=dict(
        depth=18,
        stem_channels=8,
        base_channels=8,
        norm_cfg=dict(type='BN', requires_grad=True),
        init_cfg=None),
    neck=dict(in_channels=[8, 16, 32, 64], out_channels=16),
    bbox_head=dict(
        num_classes=1,
        in_channels=16,
        feat_channels=16,
        stacked_convs=1,
        anchor_generator=dict(octave_base_scale=2)),
    test_cfg=dict(score_thr=0.0, max_per_img=20))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=None,
    dataset=dict(
        data_root=data_root,
        ann_file='train_bbx_gt.txt',
        data_prefix=dict(img='images/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=0),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        ann_file='val_bbx_gt.txt',
        data_prefix=dict(img='images/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='WiderFaceMetric')
test_evaluator = val_evaluator

train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=20, val_interval=20)
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(
    logger=dict(interval=5), checkpoint=dict(by_epoch=False, interval=20))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
