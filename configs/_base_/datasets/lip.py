# LIP (Look Into Person) 20-class human parsing, mmseg 1.x dataset settings
# at SemaTree's 384x384 (CE2P-style augmentation: scale +-25 %, rotation
# +-30 deg, flip that swaps the left/right arm, leg and shoe labels).
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
    dict(
        type='RandomResize',
        scale=crop_size,
        ratio_range=(0.75, 1.25),
        keep_ratio=True),
    # Padding with background (0), not ignore, as the official affine warp.
    dict(type='RandomRotate', prob=0.6, degree=30, pad_val=0, seg_pad_val=0),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(
        type='RandomFlip',
        prob=0.5,
        direction='horizontal',
        swap_seg_labels=lip_flip_pairs),
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
