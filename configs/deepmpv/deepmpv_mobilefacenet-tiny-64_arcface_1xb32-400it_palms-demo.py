# DeepMPV+ matcher demo: a tiny MobileFaceNet (ours) on 64x64 ROIs of
# generated palms, cut from the photos by tools/misc/deepmpv_demo.py (or
# tools/analysis/palm_eval.py --save-rois) into data/demo/palms/roi/.
_base_ = './deepmpv_mobilefacenet-224_arcface_1xb64-40e_mpd-roi.py'

data_root = 'data/demo/palms/'
input_size = 64
embedding_dim = 128
# make_palms.py --num-subjects 40 --test-subjects 10 -> 30 x 2 train hands
num_classes = 60
mpd_split = dict(test_subjects=10, split_mode='last', split_seed=0)
model = dict(
    backbone=dict(arch='tiny', input_size=input_size,
                  embedding_dim=embedding_dim),
    head=dict(num_classes=num_classes, in_channels=embedding_dim,
              scale=32.0, margins=0.3))
data_preprocessor = dict(num_classes=num_classes)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(input_size, input_size)),
    dict(type='PackInputs')
]
# ours: crops of 80-100% of the ROI so the matcher tolerates the shifts of
# ROIs cut from detected points
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='RandomResizedCrop',
        scale=input_size,
        crop_ratio_range=(0.8, 1.0),
        aspect_ratio_range=(0.9, 1.1)),
    dict(type='PackInputs')
]
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        data_root=data_root,
        data_prefix='roi',
        pipeline=train_pipeline,
        **mpd_split))
val_dataloader = dict(
    batch_size=64,
    num_workers=0,
    dataset=dict(
        data_root=data_root,
        data_prefix='roi',
        pipeline=test_pipeline,
        impostors_per_genuine=1.0,
        **mpd_split))
test_dataloader = val_dataloader
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[300, 360],
         gamma=0.1)
]
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=400,
    val_interval=400)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=400))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
