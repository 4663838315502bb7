# DGD with one ResNet-18 peer per rank (torchrun with N processes = N peers):
#   bash tools/dist_train.sh configs/dgd/THIS.py 2
# Every rank sees the whole dataset (PeerSampler), peers are not averaged by
# DDP (DGDPeerWrapper), grafting exchanges weights through torch.distributed,
# and DGDOptimWrapperConstructor gives rank g the lr of peer g ("dlr").
# Peers differ through peer_seed (peer g built and initialised from seed
# peer_seed + g) while every rank keeps the same seed, so all ranks draw the
# same augmentation and online distillation compares them on one batch.
# [ours] Online distillation compares the peers on one batch, so here every
# rank draws the same batches; two peers made equal by a graft
# (alpha_1 = 1 - alpha_0) would then stay equal, so the peers keep the
# official CIFAR "dlr" lrs (x0.5 and x1) instead of the ImageNet script's
# equal ones. Grafting alone can draw an own order per rank with
# PeerSampler(per_rank_order=True) and randomness.diff_rank_seed=True.
_base_ = ['./dgd-dgd_resnet18_2peers-8xb32-90e_in1k.py']
model = dict(distributed_peers=True, peer_seed=0, peer_batches=False)
train_dataloader = dict(batch_size=256,
                        batch_sampler=None,
                        sampler=dict(type='PeerSampler', seed=0))
optim_wrapper = dict(paramwise_cfg=dict(peer_lr_mult='dlr'))
model_wrapper_cfg = dict(type='DGDPeerWrapper')
randomness = dict(seed=0, diff_rank_seed=False)
