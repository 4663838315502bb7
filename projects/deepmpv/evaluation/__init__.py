# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .palm_point_metric import PalmPointMetric, match_points
from .palm_verification_metric import (PalmVerificationMetric,
                                       cosine_scores,
                                       save_verification_plots,
                                       verification_report)

__all__ = [
    'PalmPointMetric', 'PalmVerificationMetric', 'cosine_scores',
    'match_points', 'save_verification_plots', 'verification_report'
]
