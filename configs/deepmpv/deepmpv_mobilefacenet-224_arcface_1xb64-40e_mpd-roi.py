# DeepMPV+ ROI matcher: MobileFaceNet at 224x224 input, 512-d embedding,
# trained with an ArcFace head (the public inference script: MobileFaceNet
# at 224, face.evoLVe ArcFace head, Normalize(0.5, 0.5), cosine score,
# threshold 0.5014). Classes are hands (subject x left/right). The subject
# split (last 20% of subjects held out), the pair protocol and the schedule
# are ours: the paper's protocol and recipe were not found. Data: MPD ROIs
# (release generation/3-ROI_verification, or ROIs cut by
# tools/analysis/palm_eval.py --save-rois) in data/mpd/ROI/.
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(imports=['projects.deepmpv'], allow_failed_imports=False)

data_root = 'data/mpd/'
roi_folder = 'ROI'
input_size = 224
embedding_dim = 512
# 200 subjects -> 160 train subjects = 320 hands
num_classes = 320
mpd_split = dict(test_subjects=0.2, split_mode='last', split_seed=0)

model = dict(
    type='FaceRecognizer',
    backbone=dict(
        type='MobileFaceNet',
        arch='base',
        input_size=input_size,
        embedding_dim=embedding_dim),
    head=dict(
        type='ArcFaceClsHead',
        num_classes=num_classes,
        in_channels=embedding_dim,
        scale=64.0,
        margins=0.5,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
# transforms.Normalize([0.5]*3, [0.5]*3) on RGB in [0, 1]
data_preprocessor = dict(
    num_classes=num_classes,
    mean=[127.5, 127.5, 127.5],
    std=[127.5, 127.5, 127.5],
    to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(input_size, input_size)),
    dict(type='PackInputs')
]
test_pipeline = train_pipeline
train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='MPDPalmDataset',
        data_root=data_root,
        data_prefix=roi_folder,
        subset='train',
        pipeline=train_pipeline,
        **mpd_split))
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='MPDVerificationDataset',
        data_root=data_root,
        data_prefix=roi_folder,
        subset='test',
        protocol='cross_session',
        impostors_per_genuine=10.0,
        calib_fraction=0.5,
        pipeline=test_pipeline,
        **mpd_split))
test_dataloader = val_dataloader
val_evaluator = dict(type='PalmVerificationMetric', fixed_threshold=0.5014)
test_evaluator = val_evaluator

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[20, 30, 36],
         gamma=0.1)
]
train_cfg = dict(by_epoch=True, max_epochs=40, val_interval=5)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=5))
# generators in checkpoints: resume continues the same random stream
custom_hooks = [dict(type='RandomStateCheckpointHook')]
