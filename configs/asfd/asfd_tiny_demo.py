# A tiny ASFD with the genotype that asfd_search_demo.py found, trained on the
# generated cartoon faces on the CPU and evaluated by AP50 on their val split:
#   python tools/train.py configs/asfd/asfd_search_demo.py
#   python tools/train.py configs/asfd/asfd_tiny_demo.py
_base_ = './asfd_search_demo.py'

model = dict(
    neck=dict(
        _delete_=True,
        type='AutoFEM',
        in_channels=[16, 48, 160],
        out_channels=16,
        num_outs=4,
        genotype='work_dirs/asfd_search_demo/genotype.json'))

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(160, 160), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(dataset=dict(indices=None))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ICartoonFaceDataset',
        data_root={{_base_.data_root}},
        ann_file='val.csv',
        img_list='val_list.txt',
        data_prefix=dict(img='images/val/'),
        test_mode=True,
        pipeline=test_pipeline))
val_cfg = dict(type='ValLoop')
val_evaluator = dict(type='ICartoonFaceMetric')
test_dataloader = val_dataloader
test_cfg = dict(type='TestLoop')
test_evaluator = val_evaluator

max_epochs = 12
train_cfg = dict(
    _delete_=True,
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-5)
]
default_hooks = dict(logger=dict(interval=20))
log_processor = dict(window_size=20)
