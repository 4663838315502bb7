# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Compatibility fixes for mmengine 0.10.7 / mmpretrain 1.2.0 on current
PyTorch and NumPy. Applied once on ``import projects``; placeholder until the
real fixes land."""


def apply_compat_fixes() -> None:
    """Apply every compatibility fix; safe to call more than once."""
