# The paper recipe with the classifier sharded by class across the 8 ranks
# (model-parallel softmax): for MS1MV2 it saves 7/8 of the 85742 x 512
# weight per GPU; the same config scales to millions of identities (set
# model.head.num_classes). Launch with torchrun / tools/dist_train.sh.
_base_ = './curricularface_iresnet100_8xb64-24e_ms1mv2.py'

model = dict(
    head=dict(
        _delete_=True,
        type='ShardedCurricularFaceHead',
        num_classes={{_base_.num_classes}},
        in_channels=512,
        scale=64.0,
        margins=0.5,
        momentum=0.01))
# every rank must contribute the same number of samples to the all-gather
train_dataloader = dict(drop_last=True)
# rank 0's checkpoints hold all classifier rows
custom_hooks = [dict(type='ShardedClassifierCheckpointHook')]
