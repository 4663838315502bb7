# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""One rank of the 2-process DGD test: python _dist_worker.py RANK PORT DIR.

Run as a fresh process (not forked), so the parent's thread pools cannot
deadlock it.
"""
import os
import sys
from types import SimpleNamespace

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(os.path.dirname(HERE)), HERE]

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
from mmengine.hooks import CheckpointHook  # noqa: E402
from mmengine.logging import MessageHub, MMLogger  # noqa: E402
from mmengine.optim import OptimWrapper  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmpretrain.registry import MODELS  # noqa: E402

import projects.dgd  # noqa: E402,F401
from _tiny import KD, batch, peer_cfg  # noqa: E402
from projects.dgd import FilterGraftingHook, PeerSampler  # noqa: E402


def main(rank: int, init_method: str, folder: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group('gloo',
                            init_method=init_method,
                            rank=rank,
                            world_size=2)
    try:
        init_default_scope('mmpretrain')
        model = MODELS.build(
            peer_cfg(distributed_peers=True, online_kd=KD, peer_seed=0))
        model.peers[0].load_state_dict(
            torch.load(os.path.join(folder, f'peer{rank}.pth')))
        inputs, samples = batch()
        losses = model(inputs, samples, mode='loss')
        hook = FilterGraftingHook(level='filter')
        # the end of the first of 2 epochs, where CheckpointHook saves; the
        # graft follows when the second starts
        runner = SimpleNamespace(
            model=model,
            message_hub=MessageHub.get_current_instance(),
            logger=MMLogger.get_current_instance(),
            optim_wrapper=OptimWrapper(
                torch.optim.SGD(model.parameters(), lr=0.1)),
            param_schedulers=None,
            hooks=[CheckpointHook(interval=1)],
            epoch=0,
            iter=3,
            max_epochs=2)
        hook.after_train_epoch(runner)
        runner.epoch = 1
        hook.before_train_epoch(runner)
        sampler = PeerSampler(list(range(5)), shuffle=True)
        model.eval()
        model.eval_peer = 1
        peer1 = model(inputs)
        model.train()
        model.eval()
        model.eval_peer = 'ensemble'
        ensemble = model(inputs)
        torch.save(
            dict(losses=losses,
                 state=model.peers[0].state_dict(),
                 indices=list(sampler),
                 alphas=hook.mean_alphas,
                 rank_states=hook.rank_states,
                 peer1=peer1,
                 ensemble=ensemble),
            os.path.join(folder, f'rank{rank}.pth'))
    finally:
        dist.destroy_process_group()


if __name__ == '__main__':
    main(int(os.environ['RANK']), sys.argv[1], sys.argv[2])
