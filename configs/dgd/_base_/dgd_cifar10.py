# CIFAR-10 with the grafting recipe's batch (128 on one GPU).
_base_ = ['mmpretrain::_base_/datasets/cifar10_bs16.py']
train_dataloader = dict(batch_size=128, num_workers=4)
val_dataloader = dict(batch_size=128, num_workers=4)
test_dataloader = val_dataloader
