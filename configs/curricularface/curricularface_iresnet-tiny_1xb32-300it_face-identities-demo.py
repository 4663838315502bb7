# CurricularFace tiny demo: a tiny IResNet trained on a generated identity
# set on the CPU in about a minute, then evaluated on held-out identities
# with the 10-fold verification protocol. Data:
#   python tools/misc/make_face_identities.py data/demo/faces \
#       --num-ids 20 --per-id 12 --num-val-ids 10 --num-pairs 200 --size 32
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(
    imports=['projects.curricularface'], allow_failed_imports=False)

data_root = 'data/demo/faces/'
num_classes = 20
model = dict(
    type='FaceRecognizer',
    flip_test=True,
    backbone=dict(
        type='IResNet', arch='tiny', input_size=32, embedding_dim=32),
    head=dict(
        type='CurricularFaceHead',
        num_classes=num_classes,
        in_channels=32,
        scale=16.0,
        margins=0.3,
        momentum=0.01,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
# mean/std 0.5 (in [0, 255] units) as the paper's recipe; BGR -> RGB.
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
    batch_size=32,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='FaceIdentityDataset',
        data_root=data_root,
        data_prefix='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=50,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='FaceBinPairDataset',
        ann_file=data_root + 'val.bin',
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='FaceVerificationMetric', flip_fusion='sum')
test_evaluator = val_evaluator

# No weight decay on BN parameters, as the paper's recipe.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[200, 260], gamma=0.1, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=300, val_interval=150)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=150))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0, deterministic=False)
