# ARFlow pre-training on KITTI raw (official configs/kitti_raw.json): frames
# resized to 256x832 (no crop), flip + swap; L1 + SSIM with range-map
# occlusion for 50 epochs, then census with F-B occlusion; 2nd-order
# smoothness 75. Validation: KITTI 2015 training (flow_occ / flow_noc) at
# 256x832, pooled EPE / Fl-all (KITTI devkit). KITTI 2012 can be validated
# with the same pipeline (dataset type KITTI2012).
_base_ = './arflow_pwclite_1xb4-1000k_sintel-raw-384x832.py'

kitti_raw_root = 'data/KITTI_raw/'
kitti15_root = 'data/kitti2015/'
train_shape = (256, 832)
test_shape = (256, 832)

model = dict(loss=dict(w_smooth=75.0, smooth_order=2))

train_pipeline = [
    dict(type='LoadFlowFrames'),
    dict(type='FlowResize', scale=train_shape),
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
    dataset=dict(
        _delete_=True,
        type='KITTIRaw',
        data_root=kitti_raw_root,
        ann_file='kitti_train_2f_sv.txt',
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='KITTI2015',
        data_root=kitti15_root,
        split='training',
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='FlowMetric', reduction='pooled')
test_evaluator = val_evaluator
