# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""NAD's per-class path search over a trained classifier."""
import random
from functools import partial
from typing import Dict, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
from mmengine.dataset import pseudo_collate, worker_init_fn
from mmengine.logging import print_log
from torch.utils.data import DataLoader, Dataset

from .class_subset import class_subset
from .nad_gates import NADGates, classifier_logits
from .path_loss import nad_path_loss
from .path_store import epoch_file, load_epoch, save_epoch, saved_epochs
from .path_update import normalized_gradient_step


def derived_seed(*entropy: int) -> int:
    """A 32-bit seed derived from integers (seed, class, epoch)."""
    return int(np.random.SeedSequence(list(entropy)).generate_state(1)[0])


def _seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class NADPathSearch:
    """Find every class's path in a frozen classifier (NAD's ``findpath``).

    `Architecture Disentanglement for Deep Neural Networks
    <https://arxiv.org/abs/2003.13268>`_. For each class c, on the training
    images of c only, for ``epochs`` epochs of ``batch_size`` shuffled
    images: the network without gates (the frozen original) and with gates
    in ``search`` mode both run in eval mode, the loss of
    :func:`projects.nad.path_loss.nad_path_loss` is minimised by the
    normalised gradient step of
    :func:`projects.nad.path_update.normalized_gradient_step`, and a batch
    with no image the original classifies correctly is skipped (counted).
    The gates of every epoch are saved (:mod:`projects.nad.path_store`).

    The original and the gated network are the same weights run twice (gates
    ``off``, then ``search``), which equals the official two copies. Every
    class starts from gates drawn with the seed ``(seed, c)`` and every epoch
    reseeds Python, NumPy, torch and the shuffling with ``(seed, c, epoch)``,
    so a class does not depend on the classes run before it and an
    interrupted run resumes from its last saved epoch with the same result.

    Args:
        model (nn.Module): The trained classifier (``ImageClassifier``); its
            parameters are frozen.
        gates (NADGates): The gates (attached here).
        dataset (Dataset): The training set (any mmpretrain dataset with
            ``gt_label``), with the search pipeline.
        work_dir (str): Where the per-class, per-epoch files go.
        beta (float): Weight of the sparsity term.
        lr (float): Step length of the update. Defaults to 0.1.
        epochs (int): Epochs per class. Defaults to 21.
        batch_size (int): Defaults to 16.
        seed (int): Defaults to 233 (official).
        num_workers (int): Data loader workers. Defaults to 0.
    """

    def __init__(self,
                 model: nn.Module,
                 gates: NADGates,
                 dataset: Dataset,
                 work_dir: str,
                 beta: float,
                 lr: float = 0.1,
                 epochs: int = 21,
                 batch_size: int = 16,
                 seed: int = 233,
                 num_workers: int = 0) -> None:
        if epochs < 1 or batch_size < 1 or lr <= 0 or beta < 0:
            raise ValueError(
                'NADPathSearch: need epochs >= 1, batch_size >= 1, lr > 0, '
                f'beta >= 0; got epochs={epochs}, batch_size={batch_size}, '
                f'lr={lr}, beta={beta}')
        self.model = model
        self.gates = gates
        self.dataset = dataset
        self.work_dir = work_dir
        self.num_workers = num_workers
        self.settings = dict(beta=float(beta),
                             lr=float(lr),
                             epochs=int(epochs),
                             batch_size=int(batch_size),
                             seed=int(seed),
                             positions=list(gates.positions))
        self.model.eval()
        self.model.requires_grad_(False)
        if not gates._handles:
            gates.attach(model)

    # ---------------------------------------------------------------- run
    def run(self, classes: Sequence[int]) -> None:
        """Search the classes in order, skipping finished ones and resuming
        an unfinished one from its last saved epoch."""
        classes = [int(c) for c in classes]
        for i, label in enumerate(classes):
            print_log(f'NAD search: class {label} ({i + 1}/{len(classes)})',
                      logger='current')
            self.search_class(label)

    def search_class(self, label: int) -> dict:
        """Search (or finish) one class; returns its last epoch's record."""
        subset = class_subset(self.dataset, label)
        epochs = self.settings['epochs']
        start = self._resume_point(label)
        if start > epochs:
            print_log(f'NAD search: class {label} already done, skipped',
                      logger='current')
            return load_epoch(epoch_file(self.work_dir, label, epochs))
        if start == 0:
            generator = torch.Generator().manual_seed(
                derived_seed(self.settings['seed'], label))
            self.gates.reset(generator)
            record = self._save(label, 0, {})
        else:
            previous = load_epoch(epoch_file(self.work_dir, label, start - 1))
            self.gates.load_mask_state(previous['masks'])
            print_log(f'NAD search: class {label} resumes at epoch {start}',
                      logger='current')
        for epoch in range(max(start, 1), epochs + 1):
            stats = self._epoch(subset, label, epoch)
            record = self._save(label, epoch, stats)
            print_log(
                f'NAD search: class {label} epoch {epoch}/{epochs} '
                f'loss {stats["loss"]:.4f} loss_activ '
                f'{stats["loss_activ"]:.4f} loss_mask {stats["loss_mask"]:.4f}'
                f' open {stats["open_fraction"]:.3f} skipped batches '
                f'{stats["skipped_batches"]}/{stats["batches"]}',
                logger='current')
        return record

    # ------------------------------------------------------------ helpers
    def _resume_point(self, label: int) -> int:
        """The first epoch to compute (epochs + 1 when the class is done),
        after checking the saved settings."""
        done = saved_epochs(self.work_dir, label)
        if not done:
            return 0
        last = load_epoch(epoch_file(self.work_dir, label, done[-1]))
        if last.get('settings') != self.settings:
            raise ValueError(
                f'NAD search: {epoch_file(self.work_dir, label, done[-1])} '
                f'was searched with {last.get("settings")}, not '
                f'{self.settings}; use another work dir')
        if done != list(range(done[-1] + 1)):
            raise ValueError(f'NAD search: class {label} has epochs {done} '
                             f'in {self.work_dir} (a gap)')
        return done[-1] + 1

    def _save(self, label: int, epoch: int, stats: dict) -> dict:
        record = dict(masks=self.gates.mask_state(),
                      positions=list(self.gates.positions),
                      settings=self.settings,
                      stats=stats,
                      epoch=epoch)
        record['class'] = label
        save_epoch(epoch_file(self.work_dir, label, epoch), record)
        return record

    def _loader(self, subset: Dataset, seed: int) -> DataLoader:
        init_fn = None
        if self.num_workers > 0:
            init_fn = partial(worker_init_fn,
                              num_workers=self.num_workers,
                              rank=0,
                              seed=seed)
        return DataLoader(subset,
                          batch_size=self.settings['batch_size'],
                          shuffle=True,
                          num_workers=self.num_workers,
                          collate_fn=pseudo_collate,
                          generator=torch.Generator().manual_seed(seed),
                          worker_init_fn=init_fn)

    def _epoch(self, subset: Dataset, label: int, epoch: int) -> dict:
        seed = derived_seed(self.settings['seed'], label, epoch)
        _seed_all(seed)
        totals = dict(loss=0.0, loss_activ=0.0, loss_mask=0.0)
        batches = skipped = 0
        for batch in self._loader(subset, seed):
            batches += 1
            losses = self.step(batch, label)
            if losses is None:
                skipped += 1
                continue
            for key in totals:
                totals[key] += float(losses[key])
        used = max(batches - skipped, 1)
        stats = {key: value / used for key, value in totals.items()}
        stats.update(batches=batches,
                     skipped_batches=skipped,
                     open_fraction=self.gates.open_fraction())
        return stats

    def step(self, batch: dict, label: int) -> Optional[Dict[str, float]]:
        """One official update on a collated batch; None when skipped."""
        data = self.model.data_preprocessor(batch, False)
        inputs = data['inputs']
        labels = torch.full((inputs.shape[0], ),
                            label,
                            dtype=torch.long,
                            device=inputs.device)
        gates = self.gates
        with torch.no_grad():
            gates.mode = 'off'
            orig_logits = classifier_logits(self.model, inputs)
            orig_acts = [gates.activations[n] for n in gates.positions]
        gates.mode = 'search'
        logits = classifier_logits(self.model, inputs)
        gated_acts = [gates.activations[n] for n in gates.positions]
        gates.activations = {}
        correct = (orig_logits.argmax(1) == labels).nonzero().flatten()
        if correct.numel() == 0:
            return None
        masks = gates.masks()
        losses = nad_path_loss(logits, labels, gated_acts, orig_acts, correct,
                               masks, self.settings['beta'])
        losses['loss'].backward()
        normalized_gradient_step(masks, self.settings['lr'], gates.positions)
        return {key: float(value.detach()) for key, value in losses.items()}
