# The grafting recipe of arXiv 2001.05868 (official CIFAR code): SGD lr 0.1,
# momentum 0.9, weight decay 5e-4, batch 128, 200 epochs, lr x0.1 every 60
# epochs ("slr"), peers grafted at the end of every epoch.
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(imports=['projects.dgd'], allow_failed_imports=False)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4),
    # official "dlr": peer i of N gets lr * (1 + cos(pi * (N - i) / N)) / 2,
    # i = 1..N; for N = 2: 0.5 and 1. Without it two grafted peers stay equal.
    # The constructor applies it to peers in one process and per rank alike.
    constructor='DGDOptimWrapperConstructor',
    paramwise_cfg=dict(peer_lr_mult='dlr'))
param_scheduler = dict(type='MultiStepLR',
                       by_epoch=True,
                       milestones=[60, 120, 180],
                       gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10))
