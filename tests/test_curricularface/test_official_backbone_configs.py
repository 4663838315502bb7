# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The paper configs train the official model_irse.py network (issue 18,
item 4): style, dropout 0.4 and its parameter count, built on 'meta'."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import projects.curricularface  # noqa: F401
from mmpretrain.registry import MODELS

CFG_DIR = Path(__file__).resolve().parents[2] / 'configs' / 'curricularface'
# Backbone(...).parameters() of the official backbone/model_irse.py
# (HuangYG123/CurricularFace@68c8727), at 112x112
OFFICIAL = dict(ir100=65_128_768, ir50=43_573_952, ir_se50=43_796_672)


@pytest.mark.parametrize('name', [
    'curricularface_iresnet100_8xb64-24e_ms1mv2.py',
    'curricularface_iresnet100_8xb64-24e_ms1mv2-sharded.py',
    'curricularface_iresnet50_8xb64-24e_ms1mv2.py',
    'curricularface_iresnet-se50_8xb64-24e_ms1mv2.py',
])
def test_paper_configs_use_the_official_network(name):
    cfg = Config.fromfile(str(CFG_DIR / name))
    backbone = cfg.model.backbone
    assert backbone.style == 'model_irse' and backbone.dropout == 0.4
    init_default_scope('mmpretrain')
    with torch.device('meta'):
        net = MODELS.build(backbone)
    assert sum(p.numel() for p in net.parameters()) == OFFICIAL[backbone.arch]
