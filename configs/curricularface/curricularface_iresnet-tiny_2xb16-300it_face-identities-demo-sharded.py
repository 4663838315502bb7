# The tiny demo with the class-sharded head, for 2 CPU processes:
#   bash tools/dist_train.sh configs/curricularface/<this file> 2
_base_ = './curricularface_iresnet-tiny_1xb32-300it_face-identities-demo.py'

model = dict(
    head=dict(
        _delete_=True,
        type='ShardedCurricularFaceHead',
        num_classes=20,
        in_channels=32,
        scale=16.0,
        margins=0.3,
        momentum=0.01))
train_dataloader = dict(batch_size=16, drop_last=True)
custom_hooks = [dict(type='ShardedClassifierCheckpointHook')]
