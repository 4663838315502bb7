# FDDB (10 folds of ellipse annotations), mmdet 3.x style: a test-only
# benchmark (detectors trained on WIDER FACE are evaluated on all folds).
# data_root holds originalPics/<yyyy>/<mm>/<dd>/big/img_*.jpg and
# FDDB-folds/FDDB-fold-XX-ellipseList.txt.
dataset_type = 'FDDBDataset'
data_root = 'data/FDDB/'
backend_args = None
fold_files = [
    f'FDDB-folds/FDDB-fold-{i:02d}-ellipseList.txt' for i in range(1, 11)
]

test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(
                type=dataset_type,
                data_root=data_root,
                ann_file=fold,
                data_prefix=dict(img='originalPics/'),
                test_mode=True,
                pipeline=test_pipeline,
                backend_args=backend_args) for fold in fold_files
        ]))
val_dataloader = test_dataloader
# Discrete and continuous TPR at 1000 false positives; roc_file draws both.
test_evaluator = dict(
    type='FDDBMetric',
    ann_files=[data_root + fold for fold in fold_files],
    roc_file=None)
val_evaluator = test_evaluator
