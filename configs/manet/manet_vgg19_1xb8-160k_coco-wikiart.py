# MANet (ACM MM 2020, arXiv 2005.13219): frozen normalised VGG-19,
# multi-adaptation module at relu4_1, mirror decoder; losses
# 1 Lc + 5 Ls + k (Ldis_c + Ldis_s) + 50 Lid1 + 1 Lid2, k = [Lc + 5 Ls < 10].
# Weights: see configs/manet/README.md (tools/model_converters/manet_to_mm.py
# converts vgg_normalised.pth into checkpoints/manet/vgg_normalised_mm.pth).
_base_ = ['./_base_/style_transfer_coco-wikiart_160k.py']

model = dict(
    type='MANetStyleTransfer',
    encoder=dict(
        type='NormalisedVGG19Encoder',
        init_cfg=dict(
            type='Pretrained',
            checkpoint='checkpoints/manet/vgg_normalised_mm.pth',
            prefix='encoder.')),
    ma_module=dict(type='MultiAdaptationModule', in_channels=512),
    decoder=dict(type='MirrorVGGDecoder'),
    loss=dict(
        type='MANetLoss',
        content_weight=1.0,
        style_weight=5.0,
        identity1_weight=50.0,
        identity2_weight=1.0,
        dis_gate_threshold=10.0),
    # 'official' reproduces the released train.py (batch-B dis images).
    dis_sampling='paper',
    alpha=1.0)
