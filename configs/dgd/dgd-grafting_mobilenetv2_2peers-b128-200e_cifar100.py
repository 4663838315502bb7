# mobilenetv2 x2 on CIFAR100: layer-level ring grafting every epoch (A=0.4,
# c=500).
_base_ = [
    './_base_/dgd_mobilenetv2_cifar.py',
    './_base_/dgd_cifar100.py',
    './_base_/dgd_grafting_schedule.py',
    './_base_/dgd_variant_grafting.py',
]
model = dict(classifier=dict(head=dict(num_classes=100)))
