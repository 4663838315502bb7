# ASFD-D2: compound scaling phi=2 (configs/asfd/README.md): resnet34,
# FEM width 112, FEM rounds 1 + phi // 2, head depth 3 + phi // 3.
_base_ = './asfd_d1_resnet18_autofem_8xb8-80e_widerface.py'

model = dict(
    backbone=dict(
        depth=34, init_cfg=dict(checkpoint='torchvision://resnet34')),
    neck=dict(
        in_channels=[64, 128, 256, 512], out_channels=112, num_repeats=2),
    bbox_head=dict(in_channels=112, feat_channels=112, stacked_convs=3))
