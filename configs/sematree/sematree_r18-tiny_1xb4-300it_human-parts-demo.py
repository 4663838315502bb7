# SemaTree CPU demo: a tiny ResNetV1c-18 with the full LIP tree trained on
# generated human figures with LIP part labels, then evaluated (mIoU).
# Everything not set here is the LIP config's (tree, losses, head layout).
# Data (about 10 s):
#   python tools/misc/make_human_parts.py data/demo/human_parts \
#       --num-train 200 --num-val 40 --size 64
# Train: python tools/train.py \
#   configs/sematree/sematree_r18-tiny_1xb4-300it_human-parts-demo.py
_base_ = './sematree_r101-d16_4xb6-150e_lip-384x384.py'

data_root = 'data/demo/human_parts/'
crop_size = (64, 64)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        depth=18,
        stem_channels=16,
        base_channels=8,
        norm_cfg=norm_cfg,
        norm_eval=False,
        # demo: as before the paper configs took the official dilation
        contract_dilation=True,
        init_cfg=None),
    decode_head=dict(
        in_channels=[8, 16, 32, 64],
        channels=32,
        transform_channels=(16, 16, 16),
        leaf_channels=(16, 16, 16),
        fusion_channels=(32, 32),
        se_ratio=4,
        # CPU demo choice: mmcv's CPU deformable conv makes a training step
        # ~5x slower here, so plain 3x3 convs stand in for DCNv2 (the paper
        # configs and the tests keep DCNv2).
        dcn_cfg=dict(_delete_=True, type='Conv2d'),
        norm_cfg=norm_cfg))

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
        swap_seg_labels={{_base_.lip_flip_pairs}}),
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
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(
            img_path='images/train', seg_map_path='annotations/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(
            img_path='images/val', seg_map_path='annotations/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# Demo choice (not the paper's): AdamW converges in a few hundred CPU
# iterations where the paper's SGD lr 1e-3 needs 150 epochs.
optim_wrapper = dict(
    optimizer=dict(
        _delete_=True, type='AdamW', lr=3e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.8, begin=0, end=300,
         by_epoch=False)
]
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=300, val_interval=300)
default_hooks = dict(
    logger=dict(interval=10, log_metric_by_epoch=False),
    checkpoint=dict(by_epoch=False, interval=150, max_keep_ckpts=-1))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(base_batch_size=4)
randomness = dict(seed=0)
