# CPU demo, grafting every epoch + online distillation (our DGD reconstruction)
# (tools/misc/dgd_demo.py runs all five variants).
_base_ = [
    './_base_/dgd_demo_toy.py',
    './_base_/dgd_variant_grafting.py',
]
model = dict(
    online_kd=dict(type='PeerKDLoss', temperature=2.0, loss_weight=1.0))
# official "dlr": peer i of N gets lr * (1 + cos(pi * (N - i) / N)) / 2,
# i = 1..N (N = 2: x0.5 and x1); without it a graft (alpha_1 = 1 - alpha_0)
# makes two peers equal for good
optim_wrapper = dict(constructor='DGDOptimWrapperConstructor',
                     paramwise_cfg=dict(peer_lr_mult='dlr'))
