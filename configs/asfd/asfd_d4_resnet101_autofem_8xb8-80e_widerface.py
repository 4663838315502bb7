# ASFD-D4: compound scaling phi=4 (configs/asfd/README.md): resnet101,
# FEM width 224, FEM rounds 1 + phi // 2, head depth 3 + phi // 3.
_base_ = './asfd_d1_resnet18_autofem_8xb8-80e_widerface.py'

model = dict(
    backbone=dict(
        depth=101, init_cfg=dict(checkpoint='torchvision://resnet101')),
    neck=dict(
        in_channels=[256, 512, 1024, 2048], out_channels=224, num_repeats=3),
    bbox_head=dict(in_channels=224, feat_channels=224, stacked_convs=4))
