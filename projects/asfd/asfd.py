# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The ASFD detector and its inference form."""
import torch
import torch.nn as nn
from mmcv.cnn import fuse_conv_bn
from mmdet.models.detectors.single_stage import SingleStageDetector
from mmdet.registry import MODELS


def fuse_for_inference(model: nn.Module) -> nn.Module:
    """Make a trained, eval-mode network faster for inference, in place,
    with the same outputs up to float rounding.

    Every batch norm that follows a convolution is folded into it (mmcv's
    ``fuse_conv_bn``, what mmdet's benchmark tool does with
    ``--fuse-conv-bn``: :math:`W' = W \\gamma / \\sigma`,
    :math:`b' = (b - \\mu) \\gamma / \\sigma + \\beta`), and the weights take
    the channels-last memory format, in which oneDNN runs the convolutions
    (the depthwise ones above all) without reordering every input and
    output. Inference only: no batch norm is left to train.

    Args:
        model (nn.Module): Any network (ASFD or a toolbox detector).

    Returns:
        nn.Module: ``model``.
    """
    fuse_conv_bn(model)
    return model.to(memory_format=torch.channels_last)


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

    def switch_to_deploy(self) -> 'ASFD':
        """The inference form, in place (:func:`fuse_for_inference`): batch
        norms folded, channels-last weights; same detections."""
        return fuse_for_inference(self)
