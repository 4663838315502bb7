# mobilenetv2 x2 on CIFAR100: online distillation from the mean of the other
# peers (T=2).
_base_ = [
    './_base_/dgd_mobilenetv2_cifar.py',
    './_base_/dgd_cifar100.py',
    './_base_/dgd_grafting_schedule.py',
]
model = dict(online_kd=dict(type='PeerKDLoss',
                            temperature=2.0,
                            loss_weight=1.0),
             classifier=dict(head=dict(num_classes=100)))
