# Auto-FEM search demo on the generated cartoon faces, CPU, a few minutes:
#   python tools/misc/make_cartoon_faces.py data/demo/cartoon_faces
#   python tools/train.py configs/asfd/asfd_search_demo.py
# writes work_dirs/asfd_search_demo/genotype.json (the derived Auto-FEM) and
# arch_weights.json (softmax-ed alphas per epoch); asfd_tiny_demo.py then
# trains a tiny ASFD with it. Weights learn on the train split, the
# architecture on the held-out val split.
_base_ = './asfd_d0_mobilenetv2_autofem_8xb8-80e_widerface.py'

data_root = 'data/demo/cartoon_faces/'
model = dict(
    data_preprocessor=dict(pad_size_divisor=32),
    backbone=dict(widen_factor=0.5, out_indices=(2, 4, 6), init_cfg=None),
    neck=dict(
        _delete_=True,
        type='AutoFEMSearch',
        in_channels=[16, 48, 160],
        out_channels=16,
        num_outs=4,
        num_nodes=2,
        partial_k=4),
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


def _split(split: str, num: int) -> dict:
    return dict(
        type='ICartoonFaceDataset',
        data_root=data_root,
        ann_file=f'{split}.csv',
        img_list=f'{split}_list.txt',
        data_prefix=dict(img=f'images/{split}/'),
        indices=num,
        filter_cfg=dict(filter_empty_gt=False, min_size=0),
        pipeline=demo_pipeline)


train_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=_split('train', 96))
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None

train_cfg = dict(
    _delete_=True,
    type='BilevelSearchLoop',
    max_epochs=4,
    arch_start_epoch=1,
    arch_optimizer=dict(
        type='Adam', lr=3e-3, betas=(0.5, 0.999), weight_decay=1e-3),
    arch_dataloader=dict(
        batch_size=8,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=True),
        dataset=_split('val', 48)),
    genotype_file='genotype.json')
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=10, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10)
]
default_hooks = dict(
    logger=dict(interval=4),
    checkpoint=dict(interval=1, max_keep_ckpts=1),
    visualization=dict(draw=False))
log_processor = dict(window_size=4)
randomness = dict(seed=0)
