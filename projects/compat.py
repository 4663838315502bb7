# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Compatibility fixes for the OpenMMLab 2.x stack on current PyTorch/NumPy.

Applied once on ``import projects`` (which every config of this project does
through ``custom_imports``, and ``tools/train.py``/``tools/test.py`` do
first). Each fix is small, idempotent and has a test that fails without it.

1. **Checkpoints under torch >= 2.6.** ``torch.load`` defaults to
   ``weights_only=True`` since torch 2.6, and mmengine 0.10.7 calls it without
   that argument. Every mmengine checkpoint stores the message hub's
   ``HistoryBuffer`` objects, so ``--resume``, ``load_from`` and
   ``init_model(cfg, ckpt)`` fail with ``UnpicklingError``. The fix
   re-registers mmengine's loader for local files with
   ``weights_only=False`` (upstream fixed this after 0.10.7, unreleased).
   Unpickling runs arbitrary code: **load only local checkpoints you
   trust**, as with any pickle. URLs keep mmengine's default loader:
   download a trusted checkpoint first and pass its local path.
2. **np.in1d on numpy >= 2.4.** numpy 2.4 removed ``np.in1d``, which
   mmpretrain 1.2.0's ``RetrievalRecall`` and ``RetrievalAveragePrecision``
   call. The shim restores it as ``np.isin(...).ravel()``, which is what
   ``in1d`` returned.

``import projects`` stays light: it imports neither torch nor mmengine. The
checkpoint fix is applied the moment ``mmengine.runner.checkpoint`` is
imported (at once when it already is), through a post-import hook on
``sys.meta_path``; tools that need no toolbox (``tools/eval_widerface.py``)
therefore pay nothing for it.
"""
import importlib.abc
import importlib.machinery
import importlib.util
import os.path as osp
import sys
from types import ModuleType
from typing import Any, Callable, Optional, Sequence

import numpy as np

_APPLIED = set()


def _in1d(ar1: Any,
          ar2: Any,
          assume_unique: bool = False,
          invert: bool = False,
          **kwargs: Any) -> np.ndarray:
    """``np.in1d`` as numpy < 2.4 defined it: a flattened ``np.isin``."""
    return np.isin(
        ar1, ar2, assume_unique=assume_unique, invert=invert,
        **kwargs).ravel()


def _restore_np_in1d() -> None:
    if not hasattr(np, 'in1d'):
        np.in1d = _in1d


def _load_from_local(filename: str, map_location: Optional[Any] = None) -> Any:
    """mmengine's local-file loader, reading full (trusted) checkpoints."""
    import torch
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


_CHECKPOINT_MODULE = 'mmengine.runner.checkpoint'


class _PatchAfterExec(importlib.abc.Loader):
    """Runs the wrapped loader, then ``patch`` on the new module."""

    def __init__(self, loader: importlib.abc.Loader,
                 patch: Callable[[], None]) -> None:
        self._loader = loader
        self._patch = patch

    def create_module(self, spec: importlib.machinery.ModuleSpec
                      ) -> Optional[ModuleType]:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module keeps its own loader (source lookups, reloads).
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        self._patch()


class _PostImportHook(importlib.abc.MetaPathFinder):
    """Applies ``patch`` right after module ``name`` is first imported."""

    def __init__(self, name: str, patch: Callable[[], None]) -> None:
        self.name = name
        self._patch = patch
        self._searching = False

    def find_spec(self,
                  fullname: str,
                  path: Optional[Sequence[str]] = None,
                  target: Optional[ModuleType] = None
                  ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != self.name or self._searching:
            return None
        # Ask the other finders; this one declines while they answer.
        self._searching = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._searching = False
        if spec is None or spec.loader is None:
            return None
        spec.loader = _PatchAfterExec(spec.loader, self._patch)
        return spec


def _patch_mmengine_checkpoint_loaders_now() -> None:
    import torch
    from mmengine.runner.checkpoint import CheckpointLoader
    from mmengine.utils import digit_version
    if digit_version(torch.__version__.split('+')[0]) < digit_version('2.6'):
        return
    CheckpointLoader.register_scheme(
        prefixes='', loader=_load_from_local, force=True)


def _patch_mmengine_checkpoint_loaders() -> None:
    if _CHECKPOINT_MODULE in sys.modules:
        _patch_mmengine_checkpoint_loaders_now()
    elif not any(
            isinstance(finder, _PostImportHook)
            and finder.name == _CHECKPOINT_MODULE
            for finder in sys.meta_path):
        sys.meta_path.insert(
            0,
            _PostImportHook(_CHECKPOINT_MODULE,
                            _patch_mmengine_checkpoint_loaders_now))


_FIXES = {
    'np_in1d': _restore_np_in1d,
    'mmengine_checkpoint_loaders': _patch_mmengine_checkpoint_loaders,
}


def apply_compat_fixes() -> None:
    """Apply every compatibility fix; calling it again does nothing."""
    for name, fix in _FIXES.items():
        if name not in _APPLIED:
            fix()
            _APPLIED.add(name)
