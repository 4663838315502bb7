# NAD demo: a small ResNet trained on the generated shapes (circle, cross,
# square, triangle), then analysed by NAD. Data:
#   python tools/misc/make_nad_shapes.py data/nad_shapes
# Train:   python tools/train.py configs/nad/nad_resnet18-tiny_shapes-demo.py
# Search:  python tools/analysis/nad_search.py THIS_CONFIG CKPT --classes 0-3
#              --work-dir work_dirs/nad_demo/paths
# Or all at once: python tools/misc/nad_demo.py
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(imports=['projects.nad'], allow_failed_imports=False)

data_root = 'data/nad_shapes/'
model = dict(type='ImageClassifier',
             backbone=dict(type='ResNet',
                           depth=18,
                           stem_channels=16,
                           base_channels=16,
                           num_stages=3,
                           strides=(1, 2, 2),
                           dilations=(1, 1, 1),
                           out_indices=(2, )),
             neck=dict(type='GlobalAveragePooling'),
             head=dict(type='LinearClsHead',
                       num_classes=4,
                       in_channels=64,
                       loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
                       topk=(1, )))
data_preprocessor = dict(num_classes=4,
                         mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375],
                         to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs')
]
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
train_dataloader = dict(batch_size=32,
                        num_workers=0,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        dataset=dict(type='CustomDataset',
                                     data_root=data_root,
                                     data_prefix='train',
                                     with_label=True,
                                     pipeline=train_pipeline))
val_dataloader = dict(batch_size=64,
                      num_workers=0,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(type='CustomDataset',
                                   data_root=data_root,
                                   data_prefix='val',
                                   with_label=True,
                                   pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=12, by_epoch=True, eta_min=1e-3)
]
train_cfg = dict(by_epoch=True, max_epochs=12, val_interval=4)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(type='CheckpointHook', interval=4))
randomness = dict(seed=0, deterministic=False)

# NAD search settings (read by tools/analysis/nad_*.py). Official: lr 0.1,
# 21 epochs, batch 16, seed 233, evaluation of epoch 20; beta is ours for
# this network (the official table covers the ImageNet/Places365 models).
nad = dict(positions=[
    'backbone.maxpool', 'backbone.layer1.0', 'backbone.layer1.1',
    'backbone.layer2.0', 'backbone.layer2.1', 'backbone.layer3.0',
    'backbone.layer3.1'
],
           beta=1.0,
           lr=0.1,
           epochs=21,
           batch_size=16,
           seed=233,
           eval_epoch=20,
           probe_size=32)
