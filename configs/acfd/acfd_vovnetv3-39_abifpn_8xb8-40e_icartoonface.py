# The challenge model: VoVNetV3-39 (AOSA) + ABi-FPN + ACFD head with DAM and
# MBC, trained from scratch (no pretrained weights, as the challenge rules),
# 1920x1080 input. Check the limits with
#   python tools/analysis/check_challenge_limits.py THIS_CONFIG [CKPT]
_base_ = [
    '../_base_/datasets/icartoonface.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py'
]
custom_imports = dict(imports=['projects.acfd'], allow_failed_imports=False)

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='ACFD',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=64),
    backbone=dict(
        type='VoVNetV3',
        arch='V-39',
        out_indices=(1, 2, 3),
        norm_cfg=norm_cfg),
    neck=dict(
        type='ABiFPN',
        in_channels=[512, 768, 1024],
        out_channels=128,
        num_outs=5,
        num_repeats=3,
        kernel_size=3,
        norm_cfg=norm_cfg),
    bbox_head=dict(
        type='ACFDHead',
        num_classes=1,
        in_channels=128,
        feat_channels=128,
        stacked_convs=3,
        norm_cfg=norm_cfg,
        anchor_generator=dict(
            type='AnchorGenerator',
            octave_base_scale=2,
            scales_per_octave=3,
            # h / w: cartoon faces are often wider or taller than real ones.
            ratios=[0.7, 1.0, 1.4],
            strides=[8, 16, 32, 64, 128]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[.0, .0, .0, .0],
            target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(
            type='MarginBinaryClassificationLoss',
            # mmdet's anchor heads read use_sigmoid from this dict to size
            # the classifier: keep it.
            use_sigmoid=True,
            margin=0.3,
            scale=1.0,
            use_focal=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    train_cfg=dict(
        assigner=dict(
            type='DynamicAnchorAssigner',
            candidate_topk=9,
            std_factor=1.0,
            min_pos_per_gt=2,
            neg_iou_thr=0.4,
            compensate=True,
            comp_trust_iou=0.5,
            comp_iou_thr=0.6),
        sampler=dict(type='PseudoSampler'),
        allowed_border=-1,
        pos_weight=-1,
        debug=False),
    test_cfg=dict(
        nms_pre=2000,
        min_bbox_size=0,
        score_thr=0.02,
        nms=dict(type='nms', iou_threshold=0.45),
        max_per_img=300))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=5e-4),
    clip_grad=dict(max_norm=35, norm_type=2))
max_epochs = 40
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=1000),
    dict(type='CosineAnnealingLR', begin=0, end=max_epochs, by_epoch=True,
         eta_min=1e-4)
]
auto_scale_lr = dict(enable=False, base_batch_size=64)
