# Two peers of mmpretrain's MobileNetV2 (ImageNet strides, see README).
_base_ = './dgd_resnet56_cifar.py'
model = dict(
    classifier=dict(
        backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0),
        head=dict(in_channels=1280)))
