# CPU demo, online distillation from the mean of the other peers (T=2)
# (tools/misc/dgd_demo.py runs all five variants).
_base_ = [
    './_base_/dgd_demo_toy.py',
]
model = dict(
    online_kd=dict(type='PeerKDLoss', temperature=2.0, loss_weight=1.0))
