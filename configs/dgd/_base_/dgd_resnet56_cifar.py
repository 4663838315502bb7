# Two peers of the CIFAR ResNet-56 (16/32/64 channels, 9 blocks a stage).
model = dict(type='DGDPeerClassifier',
             num_peers=2,
             # peer g trains on its own chunk (PeerBatchSampler)
             peer_batches=True,
             eval_peer=0,
             classifier=dict(type='ImageClassifier',
                             backbone=dict(type='CifarResNet', depth=56),
                             neck=dict(type='GlobalAveragePooling'),
                             head=dict(type='LinearClsHead',
                                       num_classes=10,
                                       in_channels=64,
                                       loss=dict(type='CrossEntropyLoss',
                                                 loss_weight=1.0),
                                       # official: Kaiming normal fan-in
                                       # (the bias starts at 0 here)
                                       init_cfg=dict(
                                           type='Kaiming',
                                           layer='Linear',
                                           a=0,
                                           mode='fan_in',
                                           nonlinearity='leaky_relu',
                                           distribution='normal'))))
