# DGD of 2 ResNet-18 peers on ImageNet-1k (grafting recipe: 90 epochs,
# lr 0.1, step x0.1 at 30/60/90 from mmpretrain's schedule).
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    'mmpretrain::_base_/default_runtime.py',
    './_base_/dgd_variant_grafting.py',
]
custom_imports = dict(imports=['projects.dgd'], allow_failed_imports=False)
model = dict(type='DGDPeerClassifier',
             num_peers=2,
             eval_peer=0,
             classifier=dict(type='ImageClassifier',
                             backbone=dict(type='ResNet',
                                           depth=18,
                                           num_stages=4,
                                           out_indices=(3, ),
                                           style='pytorch'),
                             neck=dict(type='GlobalAveragePooling'),
                             head=dict(type='LinearClsHead',
                                       num_classes=1000,
                                       in_channels=512,
                                       loss=dict(type='CrossEntropyLoss',
                                                 loss_weight=1.0),
                                       topk=(1, 5))),
             online_kd=dict(type='PeerKDLoss',
                            temperature=2.0,
                            loss_weight=1.0))
# The official ImageNet processes each shuffled their own data; here the
# peers share every batch, so they differ through the official "dlr" lrs
# (N = 2: x0.5 and x1), without which a graft (alpha_1 = 1 - alpha_0) would
# make them equal for good.
optim_wrapper = dict(constructor='DGDOptimWrapperConstructor',
                     paramwise_cfg=dict(peer_lr_mult='dlr'))
