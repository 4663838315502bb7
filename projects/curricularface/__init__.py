# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""CurricularFace (CVPR 2020, arXiv 2004.00288) for MMPretrain.

Registers ``CurricularFaceHead`` and its class-sharded model-parallel
variant ``ShardedCurricularFaceHead``, plus the shared face-recognition room of
:mod:`projects.facerec` (IResNet backbones, face datasets, verification
metric, class-sharded classifier).
"""
import projects.facerec  # noqa: F401  (registers the shared modules)

from .curricularface_head import CurricularFaceHead
from .sharded_curricularface_head import ShardedCurricularFaceHead

__all__ = ['CurricularFaceHead', 'ShardedCurricularFaceHead']
