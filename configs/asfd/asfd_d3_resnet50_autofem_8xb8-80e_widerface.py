# ASFD-D3: compound scaling phi=3 (configs/asfd/README.md): resnet50,
# FEM width 160, FEM rounds 1 + phi // 2, head depth 3 + phi // 3.
_base_ = './asfd_d1_resnet18_autofem_8xb8-80e_widerface.py'

model = dict(
    backbone=dict(
        depth=50, init_cfg=dict(checkpoint='torchvision://resnet50')),
    neck=dict(
        in_channels=[256, 512, 1024, 2048], out_channels=160, num_repeats=2),
    bbox_head=dict(in_channels=160, feat_channels=160, stacked_convs=4))
