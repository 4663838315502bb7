# CPU demo, grafting every epoch + online distillation (our DGD reconstruction)
# (tools/misc/dgd_demo.py runs all four).
_base_ = [
    './_base_/dgd_demo_toy.py',
    './_base_/dgd_variant_grafting.py',
]
model = dict(
    online_kd=dict(type='PeerKDLoss', temperature=2.0, loss_weight=1.0))
