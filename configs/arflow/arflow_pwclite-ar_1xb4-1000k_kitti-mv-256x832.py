# ARFlow AR fine-tuning on the KITTI 2015 multi-view extension (official
# configs/kitti15_ft_ar.json): all image_2 / image_3 frames without frames
# 9-12, resized to 256x832; census + F-B occlusion, 2nd-order smoothness 75;
# AR pass with the milder KITTI ranges (no vflip, no squeeze), brightness
# jitter + blur only, w_ar 0.02; initialised from the KITTI raw model.
_base_ = './arflow_pwclite_1xb4-1000k_kitti-raw-256x832.py'

model = dict(
    flow_net=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='checkpoints/KITTI15/pwclite_raw.tar')),
    loss=dict(
        w_l1=0.0, w_ssim=0.0, w_ternary=1.0, occ_from_back=False,
        stage2=None),
    with_ar=True,
    ar_transform=dict(
        type='RandomAffineFlow',
        rotate=(-0.01, 0.01, -0.01, 0.01),
        squeeze=(1.0, 1.0, 1.0, 1.0),
        trans=(0.04, 0.005),
        zoom=(1.0, 1.4, 0.99, 1.01),
        hflip=True,
        vflip=False,
        add_noise=True),
    w_ar=0.02)

train_pipeline = [
    dict(type='LoadFlowFrames'),
    dict(type='FlowResize', scale={{_base_.train_shape}}),
    dict(type='FlowRandomHFlip', prob=0.5),
    dict(type='RandomFrameSwap', prob=0.5),
    dict(
        type='AppearanceJitter',
        brightness=0.5,
        contrast=0.0,
        saturation=0.0,
        hue=0.0,
        gamma=False,
        blur=True),
    dict(type='PackFlowInputs'),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='KITTIMultiView',
        data_root={{_base_.kitti15_root}},
        split='training',
        img_dirs=('image_2', 'image_3'),
        pipeline=train_pipeline))
# tools/train.py adds RandomStateCheckpointHook (exact resume).
custom_hooks = []
