# The demo: a tiny ACFD trained from scratch on the generated cartoon faces
# (tools/misc/make_cartoon_faces.py) on the CPU. `make demo` runs it through
# tools/demo.py; by hand:
#   python tools/misc/make_cartoon_faces.py data/demo/cartoon_faces
#   python tools/train.py configs/acfd/acfd_tiny_demo.py
_base_ = './acfd_vovnetv3-39_abifpn_8xb8-40e_icartoonface.py'

data_root = 'data/demo/cartoon_faces/'
image_size = 160
model = dict(
    data_preprocessor=dict(pad_size_divisor=32),
    backbone=dict(
        arch=dict(
            _delete_=True,
            stem_channels=(16, 16, 32),
            stage_channels=(16, 24, 32, 40),
            out_channels=(32, 48, 64, 80),
            layers_per_block=2,
            blocks_per_stage=(1, 1, 1, 1))),
    neck=dict(in_channels=[48, 64, 80], out_channels=32, num_outs=4,
              num_repeats=1),
    bbox_head=dict(
        in_channels=32,
        feat_channels=32,
        stacked_convs=2,
        anchor_generator=dict(
            octave_base_scale=2,
            scales_per_octave=2,
            ratios=[0.7, 1.0, 1.4],
            strides=[8, 16, 32, 64])),
    test_cfg=dict(nms_pre=500, max_per_img=50))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    # The images already have this size; Resize records the scale factor
    # that the head's rescaling reads.
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
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
    batch_sampler=None,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        data_root=data_root,
        img_list='train_list.txt',
        filter_cfg=dict(filter_empty_gt=False, min_size=0),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root,
                 img_list='val_list.txt',
                 pipeline=test_pipeline))
test_dataloader = val_dataloader

max_iters = 3000
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=10, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters,
         eta_min=1e-5)
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
