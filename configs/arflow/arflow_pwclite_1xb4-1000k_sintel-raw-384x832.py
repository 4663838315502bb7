# ARFlow pre-training on the raw Sintel movie (official configs/sintel_raw.json):
# PWC-Lite, 2 frames, L1 0.15 + SSIM 0.85 with range-map occlusion for the
# first 50 epochs, then census 1.0 with forward-backward occlusion; 1st-order
# smoothness 50; Adam 1e-4, wd 1e-6 (not on biases); batch 4; crops 384x832;
# epochs of 1000 iterations (1000 epochs). Validation: Sintel training
# clean + final of ARFlow's 'val' scenes at 448x1024, EPE per image.
default_scope = 'mmseg'
custom_imports = dict(imports=['projects.arflow'], allow_failed_imports=False)

sintel_root = 'data/Sintel/'
sintel_raw_root = 'data/Sintel_raw/'
crop_size = (384, 832)
test_shape = (448, 1024)
epoch_size = 1000

model = dict(
    type='ARFlow',
    data_preprocessor=dict(type='FlowDataPreprocessor'),
    flow_net=dict(
        type='PWCLite', n_frames=2, reduce_dense=True, upsample=True),
    loss=dict(
        type='UnFlowLoss',
        w_l1=0.15,
        w_ssim=0.85,
        w_ternary=0.0,
        occ_from_back=True,
        stage2=dict(w_l1=0.0, w_ssim=0.0, w_ternary=1.0, occ_from_back=False),
        w_scales=(1.0, 1.0, 1.0, 1.0, 0.0),
        w_sm_scales=(1.0, 0.0, 0.0, 0.0, 0.0),
        w_smooth=50.0,
        smooth_order=1,
        alpha=10.0,
        warp_pad='border',
        with_bk=True),
    with_ar=False)

train_pipeline = [
    dict(type='LoadFlowFrames'),
    dict(type='FlowRandomCrop', crop_size=crop_size),
    dict(type='FlowRandomHFlip', prob=0.5),
    dict(type='RandomFrameSwap', prob=0.5),
    dict(type='PackFlowInputs'),
]
val_pipeline = [
    dict(type='LoadFlowFrames'),
    dict(type='LoadFlowAnnotations'),
    dict(type='FlowResize', scale=test_shape),
    dict(type='PackFlowInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='SintelRaw', data_root=sintel_raw_root,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='Sintel',
        data_root=sintel_root,
        pass_style=('clean', 'final'),
        split='training',
        subsplit='val',
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='FlowMetric', reduction='per_image')
test_evaluator = val_evaluator

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='Adam', lr=1e-4, betas=(0.9, 0.999), eps=1e-7,
        weight_decay=1e-6),
    paramwise_cfg=dict(bias_decay_mult=0.0))
train_cfg = dict(
    type='IterBasedTrainLoop',
    max_iters=1000 * epoch_size,
    val_interval=epoch_size)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

custom_hooks = [
    dict(type='FlowLossStageHook', switch_iter=50 * epoch_size),
]
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=10 * epoch_size,
        save_best='EPE',
        rule='less'),
    sampler_seed=dict(type='DistSamplerSeedHook'))
log_processor = dict(by_epoch=False)
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='Visualizer', vis_backends=vis_backends, name='visualizer')
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
