# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .sharded_classifier_checkpoint_hook import ShardedClassifierCheckpointHook

__all__ = ['ShardedClassifierCheckpointHook']
