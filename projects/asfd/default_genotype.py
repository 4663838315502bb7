# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The Auto-FEM genotype that ASFD configs use unless told otherwise.

A documented hand design, not a searched cell (the paper's found cell is not
public): separable convs carry the neighbouring scales into each level, and a
two-node cell adds a dilated (rate 2) and a 1x5+5x1 asymmetric context branch
(wide receptive fields, elongated faces), the second node refining the first
with a 3x3 separable conv. Replace it with the JSON that the search writes
(``configs/asfd/asfd_search_demo.py``) through the neck's ``genotype``.
"""
DEFAULT_GENOTYPE = dict(
    fusion=dict(
        finer='sep_conv_3x3', same='skip_connect', coarser='sep_conv_3x3'),
    cell=[
        [['dil_conv_3x3_r2', 0]],
        [['asym_conv_1x5', 0], ['sep_conv_3x3', 1]],
    ])
