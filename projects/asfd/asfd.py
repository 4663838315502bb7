# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The ASFD detector."""
from mmdet.models.detectors.single_stage import SingleStageDetector
from mmdet.registry import MODELS


@MODELS.register_module()
class ASFD(SingleStageDetector):
    """`ASFD: Automatic and Scalable Face Detector
    <https://arxiv.org/abs/2003.11228>`_.

    A single-stage detector: backbone, :class:`AutoFEM` neck (or
    :class:`AutoFEMSearch` during the search) and a dense head trained with
    DRMC, :math:`L = L_{MC} + \\lambda L_{DIoU}` (``MarginCrossEntropyLoss``
    and mmdet's ``DIoULoss`` on decoded boxes). Backbone, FEM width and depth
    and head depth are compound-scaled into D0..D6 (``configs/asfd``). It
    takes :class:`SingleStageDetector`'s arguments.
    """
