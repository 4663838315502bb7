# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""What the NAD tools share: classifier and data from a config, class lists,
images, predictions."""
import copy
import os
import os.path as osp
import time
from typing import List, Optional, Sequence, Tuple

import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from torch.utils.data import DataLoader, Dataset

from projects.engine.tool_utils import load_config


def parse_classes(spec: str) -> List[int]:
    """``'0-9'``, ``'0,3,7'`` or ``'0-3,8'`` -> class indices (in order,
    without repeats)."""
    classes: List[int] = []
    for part in str(spec).split(','):
        part = part.strip()
        if not part:
            continue
        try:
            if '-' in part:
                lo, hi = (int(v) for v in part.split('-', 1))
                if hi < lo:
                    raise ValueError
                values = range(lo, hi + 1)
            else:
                values = [int(part)]
        except ValueError:
            raise ValueError(f'--classes: cannot read {part!r} of {spec!r} '
                             '(use e.g. 0-9 or 0,3,7)') from None
        classes.extend(v for v in values if v not in classes)
    if not classes or min(classes) < 0:
        raise ValueError(f'--classes: no valid class in {spec!r}')
    return classes


def load_classifier(
        config: str,
        checkpoint: Optional[str],
        device: str = 'cpu',
        cfg_options: Optional[dict] = None) -> Tuple[Config, torch.nn.Module]:
    """The config and the classifier with its checkpoint, in eval mode."""
    from mmpretrain.apis import init_model
    cfg = load_config(config, cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    model = init_model(cfg, checkpoint, device=device)
    return cfg, model.eval()


def build_split_dataset(cfg: Config,
                        split: str,
                        pipeline: Optional[list] = None) -> Dataset:
    """The dataset of ``<split>_dataloader`` (``pipeline`` replaces its
    pipeline when given)."""
    from mmpretrain.registry import DATASETS
    key = f'{split}_dataloader'
    if cfg.get(key) is None or cfg[key].get('dataset') is None:
        raise KeyError(f'the config has no {key}.dataset')
    dataset_cfg = copy.deepcopy(cfg[key]['dataset'])
    if pipeline is not None:
        dataset_cfg['pipeline'] = pipeline
    return DATASETS.build(dataset_cfg)


def read_image(dataset: Dataset, index: int) -> np.ndarray:
    """Image ``index`` as loaded by ``LoadImageFromFile`` (HxWx3 uint8, BGR)
    from its ``img_path``, or the dataset's stored ``img`` array."""
    info = dataset.get_data_info(index)
    if 'img' in info:
        img = np.asarray(info['img'])
    elif 'img_path' in info:
        img = mmcv.imread(info['img_path'])
        if img is None:
            raise OSError(f'cannot read image {info["img_path"]}')
    else:
        raise KeyError(f'{type(dataset).__name__} item {index} has neither '
                       "'img' nor 'img_path'")
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    return np.ascontiguousarray(img.astype(np.uint8))


@torch.no_grad()
def predict_probs(model: torch.nn.Module,
                  dataset: Dataset,
                  batch_size: int = 32) -> Tuple[np.ndarray, np.ndarray]:
    """Ground truth and softmax scores (N, K) of ``model`` on ``dataset``."""
    loader = DataLoader(dataset,
                        batch_size=batch_size,
                        shuffle=False,
                        collate_fn=pseudo_collate)
    gts, probs = [], []
    for batch in loader:
        data = model.data_preprocessor(batch, False)
        logits = model(data['inputs'], mode='tensor')
        probs.append(logits.softmax(1).cpu())
        gts.append(torch.cat([s.gt_label for s in data['data_samples']]))
    if not gts:
        raise ValueError(f'{type(dataset).__name__} is empty')
    return torch.cat(gts).numpy(), torch.cat(probs).numpy()


def preprocess(model: torch.nn.Module,
               images: Sequence[np.ndarray]) -> torch.Tensor:
    """HxWx3 uint8 images (the pipeline's channel order) -> the model's
    normalised input batch."""
    tensors = [
        torch.from_numpy(img).permute(2, 0, 1).contiguous() for img in images
    ]
    return model.data_preprocessor(dict(inputs=tensors), False)['inputs']


def eval_epoch(path_dir: str, epoch: Optional[int], nad_cfg: dict) -> int:
    """The epoch of the gates to evaluate: ``epoch`` if given, else the
    config's ``nad.eval_epoch`` (official 20 of 21), else the last epoch
    saved for the first class in ``path_dir``."""
    from .path_store import saved_epochs
    if epoch is None:
        epoch = nad_cfg.get('eval_epoch')
    if epoch is None:
        if not osp.isdir(path_dir):
            raise FileNotFoundError(f'NAD work dir {path_dir} does not exist')
        classes = sorted(
            int(name[len('class_'):]) for name in os.listdir(path_dir)
            if name.startswith('class_'))
        if not classes:
            raise FileNotFoundError(f'no class_* folder in {path_dir}')
        epoch = max(saved_epochs(path_dir, classes[0]))
    return int(epoch)


def tool_logger(name: str, work_dir: Optional[str]) -> MMLogger:
    """A new MMLogger, the current one, writing ``<work_dir>/<name>.log``
    when ``work_dir`` is given (a new instance per call: a tool run twice
    in one process logs to its own file)."""
    log_file = osp.join(work_dir, f'{name}.log') if work_dir else None
    return MMLogger.get_instance(f'{name}_{time.time_ns()}',
                                 logger_name=name,
                                 log_file=log_file)


@torch.no_grad()
def path_accuracy(model: torch.nn.Module,
                  gates,
                  dataset: Dataset,
                  label: int,
                  masks: dict,
                  batch_size: int = 64) -> Tuple[float, float]:
    """Top-1 accuracy on class ``label``'s images of the original network
    and of the network with only the class's binary path open.

    Args:
        model (nn.Module): The classifier with ``gates`` attached.
        gates (NADGates): Its gates.
        dataset (Dataset): Images of any classes (the class's are used).
        label (int): The class.
        masks (dict): The class's gate parameters (position -> m).
        batch_size (int): Defaults to 64.

    Returns:
        tuple: (original accuracy, gated accuracy).
    """
    from .class_subset import class_subset
    from .nad_gates import classifier_logits
    loader = DataLoader(class_subset(dataset, label),
                        batch_size=batch_size,
                        shuffle=False,
                        collate_fn=pseudo_collate)
    gates.load_mask_state(masks)
    correct = np.zeros(2)
    total = 0
    for batch in loader:
        inputs = model.data_preprocessor(batch, False)['inputs']
        for i, mode in enumerate(('off', 'binary')):
            gates.mode = mode
            pred = classifier_logits(model, inputs).argmax(1)
            correct[i] += int((pred == label).sum())
        total += inputs.shape[0]
    gates.activations = {}
    return correct[0] / total, correct[1] / total
