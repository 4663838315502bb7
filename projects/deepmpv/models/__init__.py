# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .darknet_tiny import DarknetTiny
from .tiny_yolov3_neck import TinyYOLOV3Neck

__all__ = ['DarknetTiny', 'TinyYOLOV3Neck']
