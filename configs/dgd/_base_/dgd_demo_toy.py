# CPU demo: 2 tiny CIFAR ResNet-20 peers (4/8/16 channels) on the generated
# 32x32 colour set of configs/toy (tools/misc/make_toy_data.py data/toy),
# 4 epochs of 3 iterations, grafting (if on) at the end of each epoch.
_base_ = '../../toy/resnet_tiny_toy-cls.py'

custom_imports = dict(imports=['projects.dgd'], allow_failed_imports=False)
model = dict(_delete_=True,
             type='DGDPeerClassifier',
             num_peers=2,
             eval_peer=0,
             peer_seed=0,
             classifier=dict(type='ImageClassifier',
                             backbone=dict(type='CifarResNet',
                                           depth=20,
                                           stem_channels=4,
                                           base_channels=4),
                             neck=dict(type='GlobalAveragePooling'),
                             head=dict(type='LinearClsHead',
                                       num_classes=3,
                                       in_channels=16,
                                       loss=dict(type='CrossEntropyLoss',
                                                 loss_weight=1.0))))
# fixed seeds (peers, shuffle): the one-peer-per-rank demo trains the same
# two networks on the same batches
train_dataloader = dict(batch_size=8, sampler=dict(seed=0))
val_dataloader = dict(batch_size=16)
test_dataloader = val_dataloader
# the grafting variants add the per-peer "dlr" (./dgd_variant_grafting.py)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[3], gamma=0.1)
]
train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=4, val_interval=4)
default_hooks = dict(logger=dict(interval=2),
                     checkpoint=dict(by_epoch=True, interval=1))
log_processor = dict(by_epoch=True)
