# ARFlow CPU demo on generated scenes (tools/misc/make_flow_pairs.py): the
# full PWC-Lite (all 2,236,660 parameters) trained without labels on 64x64
# crops of 64x128 frame pairs of ARFlow's 12 Sintel training scene names,
# validated (EPE against exact ground truth) on the full frames of 4 other
# scenes. Stage 1 (L1 + SSIM, range-map occlusion) for 3/4 of the run, then
# census with F-B occlusion; the AR pass is on. Demo choice for CPU time:
# decoding stops at the 1/8 level (output_level=3; official 4), crops 64x64.
# Data (a few seconds):
#   python tools/misc/make_flow_pairs.py data/demo/flow_pairs
# Train: python tools/train.py \
#   configs/arflow/arflow_pwclite-ar_1xb4-400it_flow-pairs-demo-64x128.py
# Without AR: --cfg-options model.with_ar=False
_base_ = './arflow_pwclite-ar_1xb4-1000k_sintel-384x832.py'

data_root = 'data/demo/flow_pairs/'
max_iters = 400

model = dict(
    flow_net=dict(init_cfg=None, output_level=3),
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
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        pass_style='clean',
        subsplit='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        pass_style='clean',
        subsplit='val',
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='FlowMetric', reduction='pooled')
test_evaluator = val_evaluator

# Demo choice (not the paper's): lr 1e-3 converges in a few hundred CPU
# iterations where the paper trains 10^6 iterations at 1e-4.
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
custom_hooks = [
    dict(type='FlowLossStageHook', switch_iter=max_iters * 3 // 4),
]
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_iters // 2, save_best=None,
                    max_keep_ckpts=-1))
