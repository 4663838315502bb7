# Two peers of the CIFAR ResNet-56 (16/32/64 channels, 9 blocks a stage).
model = dict(type='DGDPeerClassifier',
             num_peers=2,
             eval_peer=0,
             classifier=dict(type='ImageClassifier',
                             backbone=dict(type='CifarResNet', depth=56),
                             neck=dict(type='GlobalAveragePooling'),
                             head=dict(type='LinearClsHead',
                                       num_classes=10,
                                       in_channels=64,
                                       loss=dict(type='CrossEntropyLoss',
                                                 loss_weight=1.0))))
