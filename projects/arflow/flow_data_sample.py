# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The data sample of a frame pair with optical flow."""
from mmengine.structures import BaseDataElement, PixelData


class FlowDataSample(BaseDataElement):
    """Ground truth and prediction of one frame pair (MMFlow 1.x fields).

    Fields (all :class:`~mmengine.structures.PixelData`, ``data`` of shape
    (C, H, W)):

    - ``gt_flow_fw``: (2, H, W) flow frame 1 -> 2, ``(u, v)`` in pixels.
    - ``gt_valid_fw``: (1, H, W) 1 where the ground truth is defined
      (KITTI's sparse maps; all ones for dense sets).
    - ``gt_noc_fw``: (1, H, W) 1 where frame 1 is visible in frame 2 (KITTI
      ``flow_noc`` validity, Sintel ``1 - occlusions``), when known.
    - ``pred_flow_fw``: (2, H, W) the predicted flow, at the original size.

    Metainfo: ``img_paths``, ``ori_shape``, ``img_shape`` and, for
    submissions, ``submission_path`` (relative output file).
    """

    _PIXEL_FIELDS = ('gt_flow_fw', 'gt_valid_fw', 'gt_noc_fw', 'pred_flow_fw')

    def __setattr__(self, name: str, value) -> None:
        if name in self._PIXEL_FIELDS and not isinstance(value, PixelData):
            raise TypeError(f'FlowDataSample.{name} must be PixelData, got '
                            f'{type(value).__name__}')
        super().__setattr__(name, value)
