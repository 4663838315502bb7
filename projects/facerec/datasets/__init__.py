# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .face_bin_pair_dataset import FaceBinPairDataset
from .face_identity_dataset import FaceIdentityDataset
from .face_pair_dataset import FacePairDataset
from .lfw_pairs_dataset import LFWPairsDataset

__all__ = [
    'FaceBinPairDataset', 'FaceIdentityDataset', 'FacePairDataset',
    'LFWPairsDataset'
]
