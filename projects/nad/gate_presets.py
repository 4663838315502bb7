# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The official NAD gate positions on mmpretrain module names, and the
official sparsity weights beta.

Positions follow ``models/imagenet/{resnet50,vgg16,densenet121}.py`` of
https://github.com/hujiecpp/NAD (HEAD 202b77b), mapped onto the module names
of mmpretrain's ``ImageClassifier`` (a forward hook on a module gates its
output):

- ResNet-50, 17 gates: after the stem max-pool, then after every bottleneck
  (mmpretrain's ``Bottleneck`` ends with the post-residual ReLU, where the
  official gate sits).
- VGG-16, 13 gates: after relu1_1, pool1, relu2_1, pool2, relu3_1, relu3_2,
  pool3, relu4_1, relu4_2, pool4, relu5_1, relu5_2 and after the 7x7 average
  pool, which at 224 px input is the identity on mmpretrain's pool5 output
  (mmpretrain's ``ConvModule`` holds conv + ReLU, so its output is the
  official post-ReLU point).
- DenseNet-121, 8 gates: after the stem pool, after each dense block and
  each transition, and after the final norm + ReLU (mmpretrain's last
  ``transitions`` entry).
"""
from typing import Dict, List, Tuple

GATE_PRESETS: Dict[str, List[str]] = {
    'resnet50': ['backbone.maxpool'] + [
        f'backbone.layer{stage}.{block}'
        for stage, blocks in zip((1, 2, 3, 4), (3, 4, 6, 3))
        for block in range(blocks)
    ],
    'vgg16': [
        f'backbone.features.{i}'
        for i in (0, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, 17)
    ],
    'densenet121': [
        'backbone.stem', 'backbone.stages.0', 'backbone.transitions.0',
        'backbone.stages.1', 'backbone.transitions.1', 'backbone.stages.2',
        'backbone.transitions.2', 'backbone.transitions.3'
    ],
}

# Output channels of each preset's gates on the ImageNet models.
PRESET_CHANNELS: Dict[str, List[int]] = {
    'resnet50': [64] + [256] * 3 + [512] * 4 + [1024] * 6 + [2048] * 3,
    'vgg16': [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512],
    'densenet121': [64, 256, 128, 512, 256, 1024, 512, 1024],
}

# beta of the loss, from the table at the top of the official findpath.py.
OFFICIAL_BETAS: Dict[Tuple[str, str], float] = {
    ('imagenet', 'vgg16'): 4.5,
    ('imagenet', 'resnet50'): 0.02,
    ('imagenet', 'densenet121'): 0.02,
    ('imagenet', 'darts'): 0.45,
    ('places365', 'vgg16'): 5.0,
    ('places365', 'resnet50'): 0.02,
    ('places365', 'densenet121'): 0.02,
    ('places365', 'darts'): 0.20,
}


def official_beta(dataset: str, arch: str) -> float:
    """The official beta for a dataset (``imagenet``/``places365``) and an
    architecture (``vgg16``/``resnet50``/``densenet121``/``darts``)."""
    key = (dataset.lower(), arch.lower())
    if key not in OFFICIAL_BETAS:
        raise KeyError(f'no official NAD beta for dataset={dataset!r}, '
                       f'arch={arch!r}; known: {sorted(OFFICIAL_BETAS)}')
    return OFFICIAL_BETAS[key]
