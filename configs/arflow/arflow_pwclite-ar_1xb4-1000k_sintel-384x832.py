# ARFlow AR fine-tuning on Sintel training clean + final (official
# configs/sintel_ft_ar.json): from the raw-movie model, census loss with
# F-B occlusion from the start, the AR pass with RandomAffineFlow (Sintel
# ranges) on appearance-jittered copies, w_ar 0.01; validation on all
# training scenes (trainval) every 4 epochs.
_base_ = './arflow_pwclite_1xb4-1000k_sintel-raw-384x832.py'

model = dict(
    flow_net=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint='checkpoints/Sintel/pwclite_raw.tar')),
    loss=dict(
        w_l1=0.0, w_ssim=0.0, w_ternary=1.0, occ_from_back=False,
        stage2=None),
    with_ar=True,
    ar_transform=dict(
        type='RandomAffineFlow',
        rotate=(-0.2, 0.2, -0.015, 0.015),
        squeeze=(0.86, 1.16, 1.0, 1.0),
        trans=(0.2, 0.015),
        zoom=(1.0, 1.5, 0.985, 1.015),
        hflip=True,
        vflip=True,
        add_noise=True),
    w_ar=0.01,
    ar_eps=0.0,
    ar_q=1.0,
    ar_mask=True)

train_pipeline = [
    dict(type='LoadFlowFrames'),
    dict(type='FlowRandomCrop', crop_size={{_base_.crop_size}}),
    dict(type='FlowRandomHFlip', prob=0.5),
    dict(type='RandomFrameSwap', prob=0.5),
    dict(
        type='AppearanceJitter',
        brightness=0.5,
        contrast=0.5,
        saturation=0.5,
        hue=0.0,
        gamma=True,
        blur=True),
    dict(type='PackFlowInputs'),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='Sintel',
        data_root={{_base_.sintel_root}},
        pass_style=('clean', 'final'),
        split='training',
        subsplit='trainval',
        with_flow=False,
        pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(subsplit='trainval'))
test_dataloader = val_dataloader
train_cfg = dict(val_interval=4000)  # every 4 epochs of 1000 iterations
# tools/train.py adds RandomStateCheckpointHook (exact resume).
custom_hooks = []
