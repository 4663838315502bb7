# ASFD-D5: compound scaling phi=5 (configs/asfd/README.md): resnet152,
# FEM width 288, FEM rounds 1 + phi // 2, head depth 3 + phi // 3.
_base_ = './asfd_d1_resnet18_autofem_8xb8-80e_widerface.py'

model = dict(
    backbone=dict(
        depth=152, init_cfg=dict(checkpoint='torchvision://resnet152')),
    neck=dict(
        in_channels=[256, 512, 1024, 2048], out_channels=288, num_repeats=3),
    bbox_head=dict(in_channels=288, feat_channels=288, stacked_convs=4))
