# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
from .flow_metric import FlowMetric, flow_error_counts

__all__ = ['FlowMetric', 'flow_error_counts']
