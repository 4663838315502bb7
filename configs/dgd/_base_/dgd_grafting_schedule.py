# The grafting recipe of arXiv 2001.05868 (official CIFAR code): SGD lr 0.1,
# momentum 0.9, weight decay 5e-4, batch 128, 200 epochs, lr x0.1 every 60
# epochs ("slr"), peers grafted at the end of every epoch.
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(imports=['projects.dgd'], allow_failed_imports=False)
# (the grafting variants add the official "dlr" per peer,
# ./dgd_variant_grafting.py; baseline and distillation train at lr 0.1 as
# the official baseline.py and distillation.py)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(type='MultiStepLR',
                       by_epoch=True,
                       milestones=[60, 120, 180],
                       gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10))
