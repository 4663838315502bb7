# DeepMPV+ detector demo: a quarter-width tiny-YOLOv3 on generated palms
# (tools/misc/make_palms.py) at 160 px on the CPU. Data:
#   python tools/misc/make_palms.py data/demo/palms --num-subjects 40 \
#       --iters 3 --test-subjects 10 --size 256
_base_ = './deepmpv_tiny-yolov3_1xb16-100e_mpd-gap-416.py'

data_root = 'data/demo/palms/'
img_scale = (160, 160)
model = dict(
    backbone=dict(widen_factor=0.25),
    neck=dict(in_channels=(64, 256), lateral_channels=64, up_channels=32),
    bbox_head=dict(
        in_channels=[64, 96],
        out_channels=[128, 64],
        # generated gap boxes are 0.5 L ~ 11 px, centre boxes L ~ 22 px
        anchor_generator=dict(
            base_sizes=[[(20, 20), (28, 28), (40, 40)],
                        [(8, 8), (12, 12), (16, 16)]])))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
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
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=None,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=5e-4),
    clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=50),
    dict(type='MultiStepLR', by_epoch=False, milestones=[450], gamma=0.1)
]
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=600, val_interval=600)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=600))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
