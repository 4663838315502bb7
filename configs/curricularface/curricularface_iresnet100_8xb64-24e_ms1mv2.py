# CurricularFace paper recipe (CVPR 2020, arXiv 2004.00288): IR-100 (the
# paper's "IR-101"), 112x112 aligned faces, 512-d embedding, m=0.5, s=64,
# alpha=0.01; SGD lr 0.1, momentum 0.9, weight decay 5e-4 not on BN, batch
# 512 (8 GPUs x 64), 24 epochs, lr x0.1 at epochs 10, 18, 22; trained on
# MS1MV2 (85,742 identities) unpacked as data/ms1mv2/<identity>/<image>;
# verification on the .bin sets (LFW as val; CFP-FP, AgeDB-30, CALFW, CPLFW
# with --cfg-options test_dataloader.dataset.ann_file=data/faces_bin/X.bin).
#   bash tools/dist_train.sh configs/curricularface/<this file> 8
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(
    imports=['projects.curricularface'], allow_failed_imports=False)

num_classes = 85742
model = dict(
    type='FaceRecognizer',
    flip_test=True,
    backbone=dict(
        type='IResNet',
        arch='ir100',
        # exactly backbone/model_irse.py of the official code (IR_101):
        # BN-Conv-PReLU-Conv-BN, subsampling shortcut, output dropout 0.4,
        # non-affine embedding BN
        style='model_irse',
        input_size=112,
        embedding_dim=512,
        dropout=0.4),
    head=dict(
        type='CurricularFaceHead',
        num_classes=num_classes,
        in_channels=512,
        scale=64.0,
        margins=0.5,
        momentum=0.01,
        sync_t=False,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
data_preprocessor = dict(
    num_classes=num_classes,
    mean=[127.5, 127.5, 127.5],
    std=[127.5, 127.5, 127.5],
    to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs')
]
val_pipeline = [dict(type='PackInputs')]
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='FaceIdentityDataset',
        data_root='data/ms1mv2/',
        data_prefix='',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=128,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='FaceBinPairDataset',
        ann_file='data/faces_bin/lfw.bin',
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='FaceVerificationMetric', flip_fusion='sum')
test_evaluator = val_evaluator

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = [
    dict(
        type='MultiStepLR',
        by_epoch=True,
        milestones=[10, 18, 22],
        gamma=0.1)
]
train_cfg = dict(by_epoch=True, max_epochs=24, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=512)
default_hooks = dict(
    checkpoint=dict(
        type='CheckpointHook',
        interval=1,
        max_keep_ckpts=3,
        save_best='verification/accuracy',
        rule='greater'),
    logger=dict(interval=100))
