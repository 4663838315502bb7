# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""FaceRecognizer predicts embeddings (and flipped ones)."""
import torch
from mmengine.registry import init_default_scope

import projects.curricularface  # noqa: F401
from mmpretrain.registry import MODELS


def _model(head_type='CurricularFaceHead', flip_test=True):
    init_default_scope('mmpretrain')
    return MODELS.build(
        dict(
            type='FaceRecognizer',
            flip_test=flip_test,
            backbone=dict(
                type='IResNet', arch='tiny', input_size=16, embedding_dim=8),
            head=dict(type=head_type, num_classes=3, in_channels=8))).eval()


def test_predict_embeddings_and_flip():
    model = _model()
    x = torch.randn(2, 3, 16, 16)
    samples = model.predict(x)
    assert len(samples) == 2 and samples[0].pred_feat.shape == (8, )
    flipped = model.embed(torch.flip(x, dims=[-1]))
    assert torch.allclose(samples[1].pred_feat_flip, flipped[1])
    assert not torch.allclose(samples[1].pred_feat, flipped[1])
    assert 'pred_feat_flip' not in _model(flip_test=False).predict(x)[0]
    assert model.predict(torch.zeros(0, 3, 16, 16)) == []


def test_sharded_head_weight_is_ignored_by_ddp():
    assert _model('ShardedCurricularFaceHead')._ddp_params_and_buffers_to_ignore \
        == ['head.norm_product.weight']
    assert not hasattr(_model(), '_ddp_params_and_buffers_to_ignore')
