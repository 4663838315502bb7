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
    # the official geometry (dataset/datasets.py): the whole image warped
    # into the crop keeping its aspect ratio, box x clip(N(1, 0.25), 0.75,
    # 1.25), rotation clip(N(0, 30), -60, 60) deg with probability 0.6;
    # image border 0, label border 0 = background (supervised)
    dict(
        type='PersonCenterAffine',
        crop_size=crop_size,
        scale_factor=0.25,
        rotation_factor=30,
        rotation_prob=0.6),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    # the official letterbox: the image warped into the crop keeping its
    # aspect ratio; SemaTreeSegmentor maps the prediction back by the
    # inverse warp, so the annotation is loaded at its original size
    dict(type='PersonCenterAffine', crop_size=crop_size, test_mode=True),
    dict(type='LoadAnnotations'),
    dict(
        type='PackSegInputs',
        meta_keys=('img_path', 'seg_map_path', 'ori_shape', 'img_shape',
                   'pad_shape', 'scale_factor', 'flip', 'flip_direction',
                   'reduce_zero_label', 'warp_matrix'))
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
