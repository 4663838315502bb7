# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The images of one class in any mmpretrain dataset."""
from typing import Dict, List

import numpy as np
from torch.utils.data import Dataset, Subset


def dataset_labels(dataset: Dataset) -> np.ndarray:
    """The single-label ``gt_label`` of every image of an mmpretrain
    dataset (``get_gt_labels()`` when the dataset has it)."""
    if hasattr(dataset, 'get_gt_labels'):
        labels = dataset.get_gt_labels()
    else:
        labels = [
            dataset.get_data_info(i)['gt_label'] for i in range(len(dataset))
        ]
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f'{type(dataset).__name__}: NAD needs one gt_label '
                         f'per image, got labels of shape {labels.shape}')
    return labels.astype(np.int64)


def _describe(dataset: Dataset) -> str:
    root = getattr(dataset, 'data_root', None) or getattr(
        dataset, 'ann_file', None)
    return f'{type(dataset).__name__}' + (f' ({root})' if root else '')


def class_indices(dataset: Dataset, label: int) -> List[int]:
    """Indices of the images whose gt_label is ``label``.

    Raises:
        ValueError: The class has no image in the dataset.
    """
    labels = dataset_labels(dataset)
    indices = np.flatnonzero(labels == int(label)).tolist()
    if not indices:
        present = np.unique(labels)
        span = (f'{present.min()}..{present.max()}'
                if len(present) else 'none')
        raise ValueError(
            f'class {label} has no image in {_describe(dataset)}: '
            f'{len(labels)} images, labels {span} ({len(present)} distinct)')
    return indices


def class_subset(dataset: Dataset, label: int) -> Subset:
    """The images of class ``label`` (their pipeline unchanged)."""
    return Subset(dataset, class_indices(dataset, label))


def indices_by_class(dataset: Dataset) -> Dict[int, List[int]]:
    """Class -> indices of its images, for every class with images."""
    labels = dataset_labels(dataset)
    return {
        int(c): np.flatnonzero(labels == c).tolist()
        for c in np.unique(labels)
    }
