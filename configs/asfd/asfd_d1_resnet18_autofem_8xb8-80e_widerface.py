# ASFD-D1: compound scaling phi=1 of ASFD-D0 (configs/asfd/README.md); the
# ResNet base of D2..D6.
_base_ = './asfd_d0_mobilenetv2_autofem_8xb8-80e_widerface.py'

fem_channels = 88
fem_repeats = 1
head_depth = 3

model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNet',
        depth=18,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        style='pytorch',
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(
        in_channels=[64, 128, 256, 512],
        out_channels=fem_channels,
        num_repeats=fem_repeats),
    bbox_head=dict(
        in_channels=fem_channels,
        feat_channels=fem_channels,
        stacked_convs=head_depth))
