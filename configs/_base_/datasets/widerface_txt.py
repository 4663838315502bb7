# WIDER FACE with the official annotations, mmdet 3.x style.
# data_root holds WIDER_{train,val}/images/<event>/*.jpg,
# wider_face_split/wider_face_{train,val}_bbx_gt.txt and the official
# evaluation ground truth eval_tools/ground_truth/wider_*_val.mat.
dataset_type = 'WiderFaceTxtDataset'
data_root = 'data/WIDERFace/'
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomCrop', crop_size=(640, 640), allow_negative_crop=True),
    dict(type='Resize', scale=(640, 640), keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
# Annotations are loaded after Resize so that ground truth stays in the
# original image frame, where the metric compares it with the predictions.
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='wider_face_split/wider_face_train_bbx_gt.txt',
        data_prefix=dict(img='WIDER_train/images/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=1),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='wider_face_split/wider_face_val_bbx_gt.txt',
        data_prefix=dict(img='WIDER_val/images/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader
# Official Easy/Medium/Hard AP. Add pred_dir='...' to also write the
# prediction folder for tools/eval_widerface.py or the benchmark server.
val_evaluator = dict(
    type='WiderFaceMetric', gt_dir=data_root + 'eval_tools/ground_truth/')
test_evaluator = val_evaluator
