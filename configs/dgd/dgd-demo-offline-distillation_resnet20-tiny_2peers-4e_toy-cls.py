# CPU demo, offline distillation (T=2) from peer 0 of the baseline demo run
# (its default work dir; tools/misc/dgd_demo.py trains the baseline first and
# points model.teacher_ckpt at it).
_base_ = [
    './_base_/dgd_demo_toy.py',
]
model = dict(
    teacher_ckpt='work_dirs/dgd-demo-baseline_resnet20-tiny_2peers-4e_toy-cls/'
    'epoch_4.pth',
    teacher_prefix='peers.0.',
    teacher_kd=dict(type='PeerKDLoss', temperature=2.0, loss_weight=1.0))
