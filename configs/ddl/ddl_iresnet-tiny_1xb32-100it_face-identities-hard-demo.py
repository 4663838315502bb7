# DDL tiny demo: fine-tunes the CurricularFace tiny demo model with DDL on a
# generated identity set whose hard split is degraded (low resolution, blur,
# large rotation / yaw squeeze), on the CPU. Data and starting model:
#   python tools/misc/make_face_identities.py data/demo/faces_ddl \
#       --num-ids 20 --per-id 12 --num-val-ids 10 --num-pairs 200 --size 32
#   python -m projects.ddl.make_hard_split data/demo/faces_ddl
#   python tools/train.py configs/curricularface/curricularface_iresnet-tiny_1xb32-300it_face-identities-demo.py \
#       --work-dir work_dirs/ddl_demo_start --cfg-options \
#       train_dataloader.dataset.data_root=data/demo/faces_ddl/ \
#       val_dataloader.dataset.ann_file=data/demo/faces_ddl/val.bin
#   python tools/train.py configs/ddl/<this file> --work-dir work_dirs/ddl_demo
# Validation is on the hard pairs (val_hard.bin); the easy pairs with
#   --cfg-options test_dataloader.dataset.ann_file=data/demo/faces_ddl/val.bin
_base_ = ('../curricularface/'
          'curricularface_iresnet-tiny_1xb32-300it_face-identities-demo.py')

custom_imports = dict(imports=['projects.ddl'], allow_failed_imports=False)

data_root = 'data/demo/faces_ddl/'
load_from = 'work_dirs/ddl_demo_start/iter_300.pth'
num_ids = 8  # per classification stream, one image per identity
num_pairs = 4  # per pair stream
model = dict(
    type='DDLFaceRecognizer',
    hard_head=None,  # a copy of ``head``, started from its weights
    ddl_loss=dict(type='DistributionDistillationLoss',
                  pos_kl_weight=0.1,
                  neg_kl_weight=0.02,
                  order_loss_weight=0.5,
                  positive_threshold=0.0,
                  sigma=0.1,
                  num_bins=1000,
                  bin_start=0.0,
                  bin_step=0.001,
                  skip_empty_positives=True))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs',
         meta_keys=('sample_idx', 'img_path', 'ori_shape', 'img_shape', 'flip',
                    'flip_direction', 'ddl_stream'))
]
train_dataloader = dict(batch_size=2 * num_ids + 4 * num_pairs,
                        num_workers=0,
                        sampler=dict(_delete_=True,
                                     type='DDLFourStreamSampler',
                                     num_ids=num_ids,
                                     num_pairs=num_pairs,
                                     hard_pairs='hard-hard'),
                        dataset=dict(_delete_=True,
                                     type='DDLFaceDataset',
                                     data_root=data_root,
                                     data_prefix='train_ddl',
                                     split_file=data_root + 'split.txt',
                                     pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(ann_file=data_root + 'val_hard.bin'))
test_dataloader = val_dataloader

# Fine-tuning as the official recipe: lr 0.001 of the from-scratch 0.1 is
# too small to move in 100 CPU iterations, so the demo uses 0.01.
optim_wrapper = dict(optimizer=dict(type='SGD',
                                    lr=0.01,
                                    momentum=0.9,
                                    weight_decay=5e-4),
                     paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[50], gamma=0.1, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=100, val_interval=100)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(type='CheckpointHook',
                                     by_epoch=False,
                                     interval=100))
