# DGD with one ResNet-18 peer per rank (torchrun with N processes = N peers):
#   bash tools/dist_train.sh configs/dgd/THIS.py 2
# Every rank sees the whole dataset (PeerSampler), peers are not averaged by
# DDP (DGDPeerWrapper), grafting exchanges weights through torch.distributed.
# Different initialisations per rank come from diff_rank_seed; the sampler
# seed is fixed because diff_rank_seed would draw a new one every run.
_base_ = ['./dgd-dgd_resnet18_2peers-8xb32-90e_in1k.py']
model = dict(distributed_peers=True)
train_dataloader = dict(
    batch_size=256, sampler=dict(type='PeerSampler', seed=0))
model_wrapper_cfg = dict(type='DGDPeerWrapper')
randomness = dict(seed=0, diff_rank_seed=True)
