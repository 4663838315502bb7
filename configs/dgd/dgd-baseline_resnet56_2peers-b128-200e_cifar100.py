# resnet56 x2 on CIFAR100: independent peers, no grafting, no distillation.
_base_ = [
    './_base_/dgd_resnet56_cifar.py',
    './_base_/dgd_cifar100.py',
    './_base_/dgd_grafting_schedule.py',
]
model = dict(classifier=dict(head=dict(num_classes=100)))
