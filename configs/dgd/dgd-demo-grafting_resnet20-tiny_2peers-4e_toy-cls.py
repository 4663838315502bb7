# CPU demo, layer-level ring grafting every epoch (A=0.4, c=500)
# (tools/misc/dgd_demo.py runs all four).
_base_ = [
    './_base_/dgd_demo_toy.py',
    './_base_/dgd_variant_grafting.py',
]
