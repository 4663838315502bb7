# SemaTree on LIP with the official recipe: ResNet-101 with the deep stem
# (ResNetV1c), output stride 16, 384x384 input, batch 24 (4 GPUs x 6),
# SGD lr 1e-3 momentum 0.9 wd 5e-4, poly power 0.8, 150 epochs.
_base_ = [
    './_base_/sematree_r101-d16_150e.py', '../_base_/datasets/lip.py'
]
