# Two peers of the grafting code's CIFAR MobileNetV2 (pytorch-cifar: stem
# and stage 2 stride 1, ReLU, shortcut convs, PyTorch's default init).
_base_ = './dgd_resnet56_cifar.py'
model = dict(classifier=dict(
    backbone=dict(_delete_=True, type='CifarMobileNetV2', widen_factor=1.0),
    # official: the Linear keeps PyTorch's default init
    head=dict(in_channels=1280, init_cfg=None)))
