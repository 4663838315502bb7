# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet (ACM MM 2020, arXiv 2005.13219) and its AdaIN baseline for
MMPretrain.

Registers the encoder, the multi-adaptation blocks, the decoder, the two
style transfer models, their data preprocessor, ``ContentStyleDataset``,
``StyleTransferMetric`` (mmpretrain registries) and ``InverseTimeLR``
(mmengine's root scheduler registry).
"""
from .adain_style_transfer import AdaINStyleTransfer
from .adaptive_instance_norm import adaptive_instance_norm
from .co_adaptation import CoAdaptation
from .content_self_adaptation import ContentSelfAdaptation
from .content_style_dataset import ContentStyleDataset
from .data_preprocessor import StyleTransferDataPreprocessor
from .feature_statistics import calc_mean_std, mean_std_normalise
from .inverse_time_lr import InverseTimeLR, InverseTimeParamScheduler
from .manet_loss import MANetLoss
from .manet_style_transfer import MANetStyleTransfer
from .mirror_decoder import MirrorVGGDecoder, official_decoder_conv_indices
from .multi_adaptation import MultiAdaptationModule
from .normalised_vgg import NormalisedVGG19Encoder, official_vgg_conv_indices
from .official_weights import convert_official_state_dicts, official_key_maps
from .position_attention import position_attention
from .style_losses import (feature_identity_loss, mean_std_style_loss,
                           normalised_content_loss)
from .style_self_adaptation import StyleSelfAdaptation
from .style_transfer_metric import StyleTransferMetric, to_uint8_bgr
from .style_transfer_model import BaseStyleTransfer

__all__ = [
    'AdaINStyleTransfer', 'adaptive_instance_norm', 'CoAdaptation',
    'ContentSelfAdaptation', 'ContentStyleDataset',
    'StyleTransferDataPreprocessor', 'calc_mean_std', 'mean_std_normalise',
    'InverseTimeLR', 'InverseTimeParamScheduler', 'MANetLoss',
    'MANetStyleTransfer', 'MirrorVGGDecoder',
    'official_decoder_conv_indices', 'MultiAdaptationModule',
    'NormalisedVGG19Encoder', 'official_vgg_conv_indices',
    'convert_official_state_dicts', 'official_key_maps',
    'position_attention', 'feature_identity_loss', 'mean_std_style_loss',
    'normalised_content_loss', 'StyleSelfAdaptation', 'StyleTransferMetric',
    'to_uint8_bgr', 'BaseStyleTransfer'
]
