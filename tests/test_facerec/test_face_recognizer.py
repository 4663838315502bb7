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
    # the backbone's embedding of the columns taken right to left, and of
    # the image itself; a mirror-symmetric image embeds the same both ways
    def backbone(images):
        out = model.backbone(images)
        return out[-1] if isinstance(out, (tuple, list)) else out

    with torch.no_grad():
        mirrored = backbone(x[..., torch.arange(15, -1, -1)])
        plain = backbone(x)
    for i, sample in enumerate(samples):
        torch.testing.assert_close(sample.pred_feat, plain[i])
        torch.testing.assert_close(sample.pred_feat_flip, mirrored[i])
    assert not torch.allclose(samples[1].pred_feat, mirrored[1])
    symmetric = model.predict(x + x.flip(-1))
    torch.testing.assert_close(symmetric[0].pred_feat,
                               symmetric[0].pred_feat_flip)
    assert 'pred_feat_flip' not in _model(flip_test=False).predict(x)[0]
    assert model.predict(torch.zeros(0, 3, 16, 16)) == []


def test_sharded_head_weight_is_ignored_by_ddp():
    assert _model('ShardedCurricularFaceHead')._ddp_params_and_buffers_to_ignore \
        == ['head.norm_product.weight']
    assert not hasattr(_model(), '_ddp_params_and_buffers_to_ignore')
