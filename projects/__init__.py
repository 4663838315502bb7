# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""OpenMMLab paper plugins: registry modules for ten computer-vision papers.

Importing this package imports no toolbox. It applies the few compatibility
fixes the OpenMMLab 2.x stack needs on current PyTorch and NumPy (see
:mod:`projects.compat`). Each paper lives in its own subpackage, loaded by a
config's ``custom_imports``.
"""
from .compat import apply_compat_fixes
from .version import __version__

apply_compat_fixes()

__all__ = ['__version__', 'apply_compat_fixes']
