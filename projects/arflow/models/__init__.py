# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .arflow import ARFlow, resize_flow
from .correlation import FlowCorrelation
from .flow_data_preprocessor import FlowDataPreprocessor
from .flow_warp import flow_warp, pixel_grid
from .occlusion import (forward_backward_occlusion, range_map,
                        range_map_occlusion)
from .photometric import ssim_distance, ternary_distance
from .pwclite import PWCLite
from .random_affine_flow import RandomAffineFlow
from .smoothness import edge_aware_smoothness
from .unflow_loss import UnFlowLoss

__all__ = [
    'ARFlow', 'resize_flow', 'FlowCorrelation', 'FlowDataPreprocessor',
    'flow_warp', 'pixel_grid', 'forward_backward_occlusion', 'range_map',
    'range_map_occlusion', 'ssim_distance', 'ternary_distance', 'PWCLite',
    'RandomAffineFlow', 'edge_aware_smoothness', 'UnFlowLoss'
]
