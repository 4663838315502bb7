# ASFD-D6: compound scaling phi=6 (configs/asfd/README.md): resnet152,
# FEM width 384, FEM rounds 1 + phi // 2, head depth 3 + phi // 3.
_base_ = './asfd_d1_resnet18_autofem_8xb8-80e_widerface.py'

model = dict(
    backbone=dict(
        depth=152, init_cfg=dict(checkpoint='torchvision://resnet152')),
    neck=dict(
        in_channels=[256, 512, 1024, 2048], out_channels=384, num_repeats=4),
    bbox_head=dict(in_channels=384, feat_channels=384, stacked_convs=5))
