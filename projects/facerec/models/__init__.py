# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .face_recognizer import FaceRecognizer
from .iresnet import IRBlock, IResNet
from .mobilefacenet import MobileFaceBottleneck, MobileFaceNet

__all__ = [
    'FaceRecognizer', 'IRBlock', 'IResNet', 'MobileFaceBottleneck',
    'MobileFaceNet'
]
