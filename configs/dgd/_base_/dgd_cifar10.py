# CIFAR-10 with the grafting recipe's batch (128 on one GPU).
_base_ = ['mmpretrain::_base_/datasets/cifar10_bs16.py']
# each of the 2 peers draws its own order of 128 images a step, as the
# official separate processes (DGDPeerClassifier(peer_batches=True))
train_dataloader = dict(batch_size=128,
                        num_workers=4,
                        batch_sampler=dict(type='PeerBatchSampler',
                                           num_peers=2))
val_dataloader = dict(batch_size=128, num_workers=4)
test_dataloader = val_dataloader
