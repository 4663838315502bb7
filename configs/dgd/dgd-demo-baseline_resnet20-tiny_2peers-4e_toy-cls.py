# CPU demo, independent peers, no grafting, no distillation
# (tools/misc/dgd_demo.py runs all five variants).
_base_ = [
    './_base_/dgd_demo_toy.py',
]
