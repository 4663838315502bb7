# Data, schedule and runtime shared by the MANet and AdaIN recipes
# (official train.py / test.py of MANet, arXiv 2005.13219):
# COCO train2014 contents, WikiArt styles, Resize((512, 512)) +
# RandomCrop(256) for training; Resize(512) (shorter side) +
# CenterCrop(512) for testing; 0-1 RGB without mean/std; Adam 1e-4 with
# lr / (1 + 5e-5 * iter); batch 8; 160k iterations; a checkpoint every 10k.
default_scope = 'mmpretrain'
custom_imports = dict(imports=['projects.manet'], allow_failed_imports=False)

data_root = 'data/coco_wikiart/'
# PIL decoding and bilinear resizing as torchvision's transforms.
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='Resize', scale=(512, 512), keep_ratio=False, backend='pillow'),
    dict(type='RandomCrop', crop_size=256),
]
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='ResizeEdge', scale=512, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=512),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='ContentStyleDataset',
        data_root=data_root,
        data_prefix=dict(content='train2014', style='wikiart'),
        with_dis_images=True,
        pipeline=train_pipeline))
# Every content x style pair of the test folders (or list pairs in
# ann_file='pairs.txt': one "content_name style_name" per line).
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ContentStyleDataset',
        data_root=data_root,
        data_prefix=dict(content='test/content', style='test/style'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# test_evaluator.dump_dir=DIR writes the stylised images.
val_evaluator = dict(type='StyleTransferMetric')
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = [dict(type='InverseTimeLR', decay=5e-5, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=160000,
                 val_interval=10000)
val_cfg = dict()
test_cfg = dict()

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=10000,
        max_keep_ckpts=-1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
