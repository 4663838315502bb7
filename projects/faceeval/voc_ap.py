# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""VOC all-point average precision, without importing mmdet."""
import numpy as np


def voc_area_ap(recall: np.ndarray, precision: np.ndarray) -> float:
    """Area under the monotone precision envelope (VOC all-point AP).

    :math:`AP = \\sum_i (r_{i+1} - r_i) \\max_{j > i} p_j` over the recall
    points padded with 0 and 1, the precision padded with 0 and 0; the same
    arithmetic as mmdet's ``average_precision(mode='area')`` on one curve,
    whose float32 result it returns (tested equal).

    Args:
        recall (np.ndarray): Recall, shape (n, ), non-decreasing.
        precision (np.ndarray): Precision at each recall, shape (n, ).

    Returns:
        float: The AP.
    """
    recall = np.asarray(recall)
    precision = np.asarray(precision)
    if recall.shape != precision.shape or recall.ndim != 1:
        raise ValueError(f'recall {recall.shape} and precision '
                         f'{precision.shape} must be equal 1-D shapes')
    mrec = np.concatenate([[0], recall, [1]]).astype(recall.dtype)
    mpre = np.concatenate([[0], precision, [0]]).astype(precision.dtype)
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    ind = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.float32(np.sum((mrec[ind + 1] - mrec[ind]) *
                                   mpre[ind + 1])))
