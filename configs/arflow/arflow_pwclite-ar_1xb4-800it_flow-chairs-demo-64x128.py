# ARFlow CPU demo on generated pairs (tools/misc/make_flow_pairs.py, the
# FlyingChairs layout: 240 independent training scenes of textured layers
# under affine motions, 20 validation scenes with exact ground truth). The
# full PWC-Lite (all 2,236,660 parameters, decoding to 1/4 as the official
# model) is trained without labels on 64x64 crops with L1 + SSIM and
# range-map occlusion, and the AR pass; validation EPE against the exact
# flow. Demo choices for a 10-minute CPU run, not the paper's (see
# configs/arflow/README.md): the correlation features are normalised
# (UFlow), the feature pyramid starts from Kaiming init, lr 1e-3, and the
# run stays in stage 1 (the census stage begins at switch_iter).
# Data (about a minute):
#   python tools/misc/make_flow_pairs.py data/demo/flow_chairs \
#       --layout chairs --train-pairs 240 --val-pairs 20 --max-speed 8 \
#       --blob-area 120 --blob-sigma 3 8 --contrast 135
# Train: python tools/train.py \
#   configs/arflow/arflow_pwclite-ar_1xb4-800it_flow-chairs-demo-64x128.py
# Without AR: --cfg-options model.with_ar=False
_base_ = './arflow_pwclite-ar_1xb4-1000k_sintel-384x832.py'

data_root = 'data/demo/flow_chairs/'
max_iters = 800

model = dict(
    flow_net=dict(
        normalize_corr_features=True,
        # Random features keep their scale through the pyramid only with a
        # gain-preserving init; PyTorch's default (the official) shrinks
        # them layer by layer.
        init_cfg=dict(
            _delete_=True,
            type='Kaiming',
            layer=[],
            override=dict(
                type='Kaiming',
                name='feature_pyramid_extractor',
                a=0.1,
                mode='fan_in',
                nonlinearity='leaky_relu',
                distribution='normal'))),
    loss=dict(
        w_l1=0.15,
        w_ssim=0.85,
        w_ternary=0.0,
        occ_from_back=True,
        stage2=dict(
            _delete_=True,
            w_l1=0.0,
            w_ssim=0.0,
            w_ternary=1.0,
            occ_from_back=False)))

train_pipeline = [
    dict(type='LoadFlowFrames'),
    dict(type='FlowRandomCrop', crop_size=(64, 64)),
    dict(type='FlowRandomHFlip', prob=0.5),
    dict(type='RandomFrameSwap', prob=0.5),
    dict(type='AppearanceJitter'),
    dict(type='PackFlowInputs'),
]
val_pipeline = [
    dict(type='LoadFlowFrames'),
    dict(type='LoadFlowAnnotations'),
    dict(type='PackFlowInputs'),
]
chairs = dict(
    _delete_=True,
    type='FlyingChairs',
    data_root=data_root,
    split_file='FlyingChairs_train_val.txt')
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(**chairs, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(**chairs, split='val', pipeline=val_pipeline))
test_dataloader = val_dataloader
# EPE_zero (a zero prediction) and EPE_ratio = EPE / EPE_zero in the log.
val_evaluator = dict(
    type='FlowMetric', reduction='pooled', with_zero_flow=True)
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=1e-3))
# Demo choice: lr / 10 for the last quarter (the paper keeps 1e-4 constant).
param_scheduler = [
    dict(
        type='MultiStepLR',
        by_epoch=False,
        milestones=[max_iters * 3 // 4],
        gamma=0.1)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
custom_hooks = [
    dict(type='FlowLossStageHook', switch_iter=max_iters),
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=max_iters // 2, save_best=None,
                    max_keep_ckpts=-1))
