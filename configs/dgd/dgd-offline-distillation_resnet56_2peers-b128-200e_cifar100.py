# resnet56 x2 on CIFAR100: offline distillation (T=2) from a trained
# ResNet-56, peer 0 of the baseline run (train that config first). Another
# teacher: set model.teacher (its classifier dict) and model.teacher_ckpt.
_base_ = [
    './_base_/dgd_resnet56_cifar.py',
    './_base_/dgd_cifar100.py',
    './_base_/dgd_grafting_schedule.py',
]
model = dict(
    teacher_ckpt='work_dirs/dgd-baseline_resnet56_2peers-b128-200e_cifar100/'
    'epoch_200.pth',
    teacher_prefix='peers.0.',
    teacher_kd=dict(type='PeerKDLoss', temperature=2.0, loss_weight=1.0),
    classifier=dict(head=dict(num_classes=100)))
