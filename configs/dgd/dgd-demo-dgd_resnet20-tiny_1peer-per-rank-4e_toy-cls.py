# CPU demo of DGD with one peer per rank (2 gloo processes = 2 peers):
#   bash tools/dist_train.sh configs/dgd/THIS.py 2
# The same networks as the 2-peer demo (peer_seed: peer g from seed g), on
# the same batches (PeerSampler, the same shuffle seed on every rank), so
# both demos train the same two peers.
_base_ = ['./dgd-demo-dgd_resnet20-tiny_2peers-4e_toy-cls.py']
model = dict(distributed_peers=True)
train_dataloader = dict(sampler=dict(type='PeerSampler'))
model_wrapper_cfg = dict(type='DGDPeerWrapper')
randomness = dict(seed=0, diff_rank_seed=False)
