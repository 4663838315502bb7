# resnet56 x2 on CIFAR10: online distillation from the mean of the other peers
# (T=2).
_base_ = [
    './_base_/dgd_resnet56_cifar.py',
    './_base_/dgd_cifar10.py',
    './_base_/dgd_grafting_schedule.py',
]
model = dict(
    online_kd=dict(type='PeerKDLoss', temperature=2.0, loss_weight=1.0))
