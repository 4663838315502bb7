# KITTI 2015 test-set submission (official inference shape 384x640;
# predictions resized back to the image size with flow rescaling):
#   python tools/test.py configs/arflow/arflow_pwclite_kitti2015-test-384x640.py \
#       work_dirs/pwclite_ar_kitti.pth \
#       --cfg-options test_evaluator.output_dir=work_dirs/kitti_submission
# writes <output_dir>/flow/%06d_10.png (16-bit KITTI PNG, the devkit layout).
_base_ = './arflow_pwclite-ar_1xb4-1000k_kitti-mv-256x832.py'

model = dict(flow_net=dict(init_cfg=None))
test_shape = (384, 640)
test_pipeline = [
    dict(type='LoadFlowFrames'),
    dict(type='FlowResize', scale=test_shape),
    dict(type='PackFlowInputs'),
]
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _delete_=True,
        type='KITTI2015',
        data_root={{_base_.kitti15_root}},
        split='testing',
        pipeline=test_pipeline))
test_evaluator = dict(
    type='FlowMetric', format_only=True,
    output_dir='work_dirs/kitti_submission')
