# CIFAR-100 with the grafting recipe's batch (128 on one GPU).
_base_ = ['mmpretrain::_base_/datasets/cifar100_bs16.py']
# the official grafting.py normalises CIFAR-100 with the CIFAR-10 statistics
data_preprocessor = dict(mean=[125.307, 122.961, 113.8575],
                         std=[51.5865, 50.847, 51.255])
# each of the 2 peers draws its own order of 128 images a step, as the
# official separate processes (DGDPeerClassifier(peer_batches=True))
train_dataloader = dict(batch_size=128,
                        num_workers=4,
                        batch_sampler=dict(type='PeerBatchSampler',
                                           num_peers=2))
val_dataloader = dict(batch_size=128, num_workers=4)
test_dataloader = val_dataloader
