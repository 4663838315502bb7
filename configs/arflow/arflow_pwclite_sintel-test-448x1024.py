# Sintel test-set submission with a PWC-Lite checkpoint (official test shape
# 448x1024; predictions resized back to 436x1024 with flow rescaling):
#   python tools/test.py configs/arflow/arflow_pwclite_sintel-test-448x1024.py \
#       work_dirs/pwclite_ar_sintel.pth \
#       --cfg-options test_evaluator.output_dir=work_dirs/sintel_submission
# writes <output_dir>/{clean,final}/<scene>/frame_%04d.flo (the layout of the
# Sintel bundler). Official weights: tools/model_converters/arflow_to_mm.py.
_base_ = './arflow_pwclite-ar_1xb4-1000k_sintel-384x832.py'

model = dict(flow_net=dict(init_cfg=None))
test_pipeline = [
    dict(type='LoadFlowFrames'),
    dict(type='FlowResize', scale={{_base_.test_shape}}),
    dict(type='PackFlowInputs'),
]
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _delete_=True,
        type='Sintel',
        data_root={{_base_.sintel_root}},
        pass_style=('clean', 'final'),
        split='test',
        pipeline=test_pipeline))
test_evaluator = dict(
    type='FlowMetric', format_only=True,
    output_dir='work_dirs/sintel_submission')
