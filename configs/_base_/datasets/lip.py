# LIP (Look Into Person) 20-class human parsing, mmseg 1.x dataset settings
# at SemaTree's 384x384 with the official geometry (PersonCenterAffine:
# clipped Gaussian scale and rotation, letterboxed, a flip that swaps the
# left/right arm, leg and shoe labels); the model must be a
# SemaTreeSegmentor (prediction mapped back by the inverse warp).
# Layout (the official release):
#   data/LIP/TrainVal_images/{train_images,val_images}/*.jpg
#   data/LIP/TrainVal_parsing_annotations/{train,val}_segmentations/*.png
dataset_type = 'LIPDataset'
data_root = 'data/LIP'
crop_size = (384, 384)
# (left, right) pairs of LIP: arms, legs, shoes.
lip_flip_pairs = [(14, 15), (16, 17), (18, 19)]
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
    dict(
        type='RandomFlip',
        prob=0.5,
        direction='horizontal',
        swap_seg_labels=lip_flip_pairs),
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
        data_prefix=dict(
            img_path='TrainVal_images/train_images',
            seg_map_path='TrainVal_parsing_annotations/train_segmentations'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='TrainVal_images/val_images',
            seg_map_path='TrainVal_parsing_annotations/val_segmentations'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
