# SemaTree model and the official schedule (ResNet-101 deep stem, OS16,
# SGD lr 1e-3 m0.9 wd5e-4, poly 0.8, 150 epochs); the dataset configs add
# the data. Shared by the LIP, CIHP and PASCAL-Person-Part configs.
_base_ = 'mmseg::_base_/default_runtime.py'
custom_imports = dict(
    imports=['projects.sematree'], allow_failed_imports=False)

# LIP tree exactly as the official code: R1 bg | human; R2 (other) head,
# upper, lower; R3 (other) clothes, arms; R4 (other) legwear, feet.
lip_tree = [[0],
            [[1, 2, 4, 13],
             [[5, 6, 7, 11], [3, 14, 15]],
             [[9, 10, 12, 16, 17], [8, 18, 19]]]]
norm_cfg = dict(type='SyncBN', requires_grad=True)
# InPlaceABN's activation in the official code.
act_cfg = dict(type='LeakyReLU', negative_slope=0.01)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(384, 384))
model = dict(
    # EncoderDecoder whose test predictions go back through the inverse of
    # the test-time warp (PersonCenterAffine), as the official evaluation
    type='SemaTreeSegmentor',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNetV1c',
        depth=101,
        # the official deep stem 3-64-64-128 (layer1 input 128)
        stem_channels=128,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 2),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        # dilation 2 in every layer4 block, as the official ResNet
        contract_dilation=False,
        # mmseg's ImageNet ResNet-101 V1c: its stem is 32-32-64, so the
        # stem and layer1's first block (conv1, downsample) do not load
        # (logged as size mismatches) and start from scratch; the official
        # code starts from CE2P's resnet101-imagenet.pth (BGR input), see
        # configs/sematree/README.md
        init_cfg=dict(
            type='Pretrained', checkpoint='open-mmlab://resnet101_v1c')),
    decode_head=dict(
        type='SemanticNeuralTreeHead',
        tree=lip_tree,
        num_classes=20,
        in_channels=[256, 512, 1024, 2048],
        in_index=[0, 1, 2, 3],
        channels=1024,
        transform_channels=(512, 256, 128),
        leaf_channels=(256, 128, 64),
        fusion_channels=(512, 256),
        pool_scales=(1, 2, 3),
        router_ratio=0.5,
        se_ratio=16,
        leaf_dropout=0.1,
        fusion_dropout=0.5,
        dcn_cfg=dict(type='DCNv2', deform_groups=2),
        norm_cfg=norm_cfg,
        act_cfg=act_cfg,
        align_corners=True,
        loss_decode=dict(
            type='InverseFrequencyNLLLoss',
            loss_weight=3.0,
            loss_name='loss_final',
            whole_batch=True),
        loss_router=dict(
            type='InverseFrequencyNLLLoss',
            loss_weight=1.0,
            loss_name='loss_router',
            whole_batch=True),
        loss_leaf=dict(
            type='InverseFrequencyNLLLoss',
            loss_weight=1.5,
            loss_name='loss_leaf',
            whole_batch=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4),
    clip_grad=None)
max_epochs = 150
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.8,
        begin=0,
        end=max_epochs,
        by_epoch=True,
        convert_to_iter_based=True)
]
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=True),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=True, interval=10, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
log_processor = dict(by_epoch=True)
# The official recipe's total batch; scales the lr with --auto-scale-lr.
auto_scale_lr = dict(enable=False, base_batch_size=24)
