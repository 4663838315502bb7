# A tiny ResNet classifier on the generated toy colours: shows that
# tools/train.py runs mmpretrain configs, resumes exactly and trains with 2
# processes. Data: python tools/misc/make_toy_data.py data/toy
_base_ = 'mmpretrain::_base_/default_runtime.py'

data_root = 'data/toy/cls/'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=18,
        stem_channels=8,
        base_channels=8,
        num_stages=2,
        strides=(1, 2),
        dilations=(1, 1),
        out_indices=(1, )),
    neck=dict(type='GlobalAveragePooling'),
    # Dropout draws from torch's generator during training: resuming must
    # redraw the same numbers.
    head=dict(
        type='StackedLinearClsHead',
        num_classes=3,
        in_channels=16,
        mid_channels=[16],
        dropout_rate=0.3,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
data_preprocessor = dict(
    num_classes=3,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
# Random augmentation: resuming must redraw the same random numbers.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='PackInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='CustomDataset',
        data_root=data_root,
        data_prefix='train',
        with_label=True,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CustomDataset',
        data_root=data_root,
        data_prefix='val',
        with_label=True,
        pipeline=pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = [dict(type='StepLR', step_size=8, gamma=0.5, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=16, val_interval=16)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(interval=4),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=8))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0, deterministic=False)
