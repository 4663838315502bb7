# A tiny ASFD trained on the generated cartoon faces on the CPU and evaluated
# by AP50 on their val split, with the Auto-FEM genotype that
# asfd_search_demo.py found:
#   python tools/misc/make_cartoon_faces.py data/demo/cartoon_faces
#   python tools/train.py configs/asfd/asfd_search_demo.py
#   python tools/train.py configs/asfd/asfd_tiny_demo.py
_base_ = './asfd_d0_mobilenetv2_autofem_8xb8-80e_widerface.py'

data_root = 'data/demo/cartoon_faces/'
model = dict(
    data_preprocessor=dict(pad_size_divisor=32),
    backbone=dict(widen_factor=0.5, out_indices=(2, 4, 6), init_cfg=None),
    neck=dict(
        in_channels=[16, 48, 160],
        out_channels=16,
        num_outs=4,
        genotype='work_dirs/asfd_search_demo/genotype.json'),
    bbox_head=dict(
        in_channels=16,
        feat_channels=16,
        stacked_convs=1,
        anchor_generator=dict(
            octave_base_scale=2, scales_per_octave=2,
            strides=[8, 16, 32, 64])),
    test_cfg=dict(nms_pre=500, max_per_img=50))

demo_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(160, 160), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]


def _split(split: str, pipeline: list, **kwargs) -> dict:
    return dict(
        type='ICartoonFaceDataset',
        data_root=data_root,
        ann_file=f'{split}.csv',
        img_list=f'{split}_list.txt',
        data_prefix=dict(img=f'images/{split}/'),
        pipeline=pipeline,
        **kwargs)


train_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=_split(
        'train', demo_pipeline,
        filter_cfg=dict(filter_empty_gt=False, min_size=0)))
val_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_split('val', test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='ICartoonFaceMetric')
test_evaluator = val_evaluator

max_epochs = 12
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=10, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-5)
]
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1),
    visualization=dict(draw=False))
log_processor = dict(window_size=20)
randomness = dict(seed=0)
