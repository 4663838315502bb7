# mobilenetv2 x2 on CIFAR10: independent peers, no grafting, no distillation.
_base_ = [
    './_base_/dgd_mobilenetv2_cifar.py',
    './_base_/dgd_cifar10.py',
    './_base_/dgd_grafting_schedule.py',
]
