# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The DDL paper configs hold the official setting and build (on 'meta')."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import projects.ddl  # noqa: F401
from mmpretrain.registry import MODELS

CFG_DIR = Path(__file__).resolve().parents[2] / 'configs' / 'ddl'
# TFace@8f5b85a torchkit/backbone/model_irse.py IR_50 at 112x112
TFACE_IR50 = 43_585_600


@pytest.mark.parametrize('name,classes,gpus', [
    ('ddl_iresnet50_8xb32-2e_vggface2-pose.py', 8631, 8),
    ('ddl_iresnet50_1xb32-2e_scface-resolution.py', 50, 1),
])
def test_paper_configs(name, classes, gpus):
    cfg = Config.fromfile(str(CFG_DIR / name))
    model = cfg.model
    assert model.gather_ddl_inputs and model.ddl_gradient == 'official'
    for head in (model.head, model.hard_head):
        # TFace's distributed CurricularFace head: alpha 0.1, global t
        assert (head.type, head.momentum, head.sync_t, head.num_classes) == \
            ('CurricularFaceHead', 0.1, True, classes)
    assert (model.backbone.style, model.backbone.dropout) == ('tface', 0.4)
    loss = model.ddl_loss
    assert (loss.pos_kl_weight, loss.neg_kl_weight,
            loss.order_loss_weight) == (0.1, 0.02, 0.5)
    opt = cfg.optim_wrapper.optimizer
    assert (opt.lr, opt.momentum, opt.weight_decay) == (0.001, 0.9, 5e-4)
    # BN decayed too (TFace's IR_50 has no '*bn*' parameter names)
    assert 'paramwise_cfg' not in cfg.optim_wrapper
    assert cfg.train_dataloader.sampler.type == 'DDLFourStreamSampler'
    assert 'seed' not in cfg.train_dataloader.sampler  # synced: disjoint ids
    init_default_scope('mmpretrain')
    with torch.device('meta'):
        built = MODELS.build(model)
    assert built.ddl_gradient == 'official'
    assert sum(p.numel()
               for p in built.backbone.parameters()) == TFACE_IR50
