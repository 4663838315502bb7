# resnet56 x2 on CIFAR100: grafting every epoch + online distillation (our DGD
# reconstruction).
_base_ = [
    './_base_/dgd_resnet56_cifar.py',
    './_base_/dgd_cifar100.py',
    './_base_/dgd_grafting_schedule.py',
    './_base_/dgd_variant_grafting.py',
]
model = dict(online_kd=dict(type='PeerKDLoss',
                            temperature=2.0,
                            loss_weight=1.0),
             classifier=dict(head=dict(num_classes=100)))
