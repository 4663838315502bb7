# SemaTree on CIHP: CIHP has LIP's 20 classes, so the LIP tree and recipe
# are reused unchanged (the official code releases no CIHP tree).
_base_ = [
    './_base_/sematree_r101-d16_150e.py', '../_base_/datasets/cihp.py'
]
