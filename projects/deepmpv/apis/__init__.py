# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .folder_evaluation import embed_photos, evaluate_photos
from .palm_verifier import REJECTED_SCORE, PalmPoints, PalmVerifier
from .visualize import draw_palm

__all__ = [
    'PalmPoints', 'PalmVerifier', 'REJECTED_SCORE', 'draw_palm',
    'embed_photos', 'evaluate_photos'
]
