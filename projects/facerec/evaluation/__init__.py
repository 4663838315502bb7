# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .face_verification_metric import FaceVerificationMetric
from .verification import (equal_error_rate, kfold_accuracy, pair_distances,
                           roc_curve, tar_at_far)

__all__ = [
    'FaceVerificationMetric', 'equal_error_rate', 'kfold_accuracy',
    'pair_distances', 'roc_curve', 'tar_at_far'
]
