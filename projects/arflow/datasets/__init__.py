# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .appearance import AppearanceJitter
from .flow_io import read_flow, read_flow_kitti, write_flow, write_flow_kitti
from .flow_pair_dataset import FlowPairDataset
from .flying_chairs import FlyingChairs
from .formatting import PackFlowInputs
from .geometric import (FlowRandomCrop, FlowRandomHFlip, FlowResize,
                        RandomFrameSwap)
from .kitti import KITTI2012, KITTI2015, KITTIMultiView, KITTIRaw
from .loading import LoadFlowAnnotations, LoadFlowFrames
from .sintel import SINTEL_TRAIN_SCENES, Sintel, SintelRaw

__all__ = [
    'AppearanceJitter', 'read_flow', 'read_flow_kitti', 'write_flow',
    'write_flow_kitti', 'FlowPairDataset', 'FlyingChairs', 'PackFlowInputs',
    'FlowRandomCrop', 'FlowRandomHFlip', 'FlowResize', 'RandomFrameSwap',
    'KITTI2012', 'KITTI2015', 'KITTIMultiView', 'KITTIRaw',
    'LoadFlowAnnotations', 'LoadFlowFrames', 'SINTEL_TRAIN_SCENES', 'Sintel',
    'SintelRaw'
]
