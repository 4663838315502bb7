# DGD of 2 ResNet-18 peers on ImageNet-1k, with the official
# grafting_imagenet/grafting.py schedule: SGD lr 0.1 (the same for both
# peers: that script has no "dlr"), momentum 0.9, wd 1e-4, 90 epochs, cosine
# decay to 0 updated every iteration (its default; --steplr gives x0.1 every
# 30 epochs). The official batch is 256 on one GPU per network: here 8 x 32
# (BN sees 32 images; the 1peer-per-rank config has 256 per rank).
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    'mmpretrain::_base_/default_runtime.py',
    './_base_/dgd_variant_grafting.py',
]
custom_imports = dict(imports=['projects.dgd'], allow_failed_imports=False)
model = dict(type='DGDPeerClassifier',
             num_peers=2,
             # peer g trains on its own 32 images a GPU, drawn in its own
             # order (PeerBatchSampler), as the separate official processes
             peer_batches=True,
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
train_dataloader = dict(
    batch_sampler=dict(type='PeerBatchSampler', num_peers=2))
# Same lr for both peers, as the official ImageNet script (no "dlr"): the
# peers differ by their data order.
optim_wrapper = dict(constructor='DGDOptimWrapperConstructor',
                     paramwise_cfg=dict(peer_lr_mult=[1.0, 1.0]))
param_scheduler = [
    dict(type='CosineAnnealingLR',
         T_max=90,
         eta_min=0.0,
         by_epoch=True,
         begin=0,
         end=90,
         convert_to_iter_based=True)
]
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=1)
