# Two peers of MobileNetV2 with the CIFAR strides (stem and stage 2: 1).
_base_ = './dgd_resnet56_cifar.py'
model = dict(classifier=dict(backbone=dict(
    _delete_=True, type='CifarMobileNetV2', widen_factor=1.0),
                             head=dict(in_channels=1280)))
