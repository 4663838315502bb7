# PASCAL-Person-Part 7-class human parsing (background, head, torso, upper
# arms, lower arms, upper legs, lower legs), mmseg 1.x dataset settings at
# 384x384. The classes have no left/right split, so a plain flip is right.
# Layout (as distributed with Graphonomy/CDCL):
#   data/pascal_person_part/JPEGImages/*.jpg
#   data/pascal_person_part/SegmentationPart/*.png
#   data/pascal_person_part/{train_id,val_id}.txt   (one image id a line)
dataset_type = 'PascalPersonPartDataset'
data_root = 'data/pascal_person_part'
crop_size = (384, 384)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=crop_size,
        ratio_range=(0.75, 1.25),
        keep_ratio=True),
    dict(type='RandomRotate', prob=0.6, degree=30, pad_val=0, seg_pad_val=0),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=6,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train_id.txt',
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationPart'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='val_id.txt',
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationPart'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
