# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The ACFD detector."""
from mmdet.models.detectors import SingleStageDetector
from mmdet.registry import MODELS

from .asymmetric_conv import switch_to_deploy


@MODELS.register_module()
class ACFD(SingleStageDetector):
    """`ACFD: Asymmetric Cartoon Face Detector
    <https://arxiv.org/abs/2007.00899>`_.

    A one-stage anchor-based detector: :class:`VoVNetV3` backbone of AOSA
    modules, :class:`ABiFPN` neck, :class:`ACFDHead` trained with the margin
    binary classification loss (MBC) and the dynamic anchor match (DAM),
    trained from scratch. Arguments are those of
    :class:`mmdet.models.SingleStageDetector`.
    """

    def switch_to_deploy(self) -> 'ACFD':
        """Fuse every asymmetric block into one convolution for inference
        (same outputs, faster)."""
        switch_to_deploy(self)
        return self
