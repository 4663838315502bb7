# mobilenetv2 x2 on CIFAR10: layer-level ring grafting every epoch (A=0.4,
# c=500).
_base_ = [
    './_base_/dgd_mobilenetv2_cifar.py',
    './_base_/dgd_cifar10.py',
    './_base_/dgd_grafting_schedule.py',
    './_base_/dgd_variant_grafting.py',
]
