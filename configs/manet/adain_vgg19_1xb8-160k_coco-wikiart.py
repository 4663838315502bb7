# AdaIN (arXiv 1703.06868) as MANet's baseline: the same frozen normalised
# VGG-19 and mirror decoder, AdaIN at relu4_1, AdaIN's own losses
# (content 1, style 10 over relu1_1..relu4_1), same data and schedule.
_base_ = ['./_base_/style_transfer_coco-wikiart_160k.py']

model = dict(
    type='AdaINStyleTransfer',
    encoder=dict(
        type='NormalisedVGG19Encoder',
        init_cfg=dict(
            type='Pretrained',
            checkpoint='checkpoints/manet/vgg_normalised_mm.pth',
            prefix='encoder.')),
    decoder=dict(type='MirrorVGGDecoder'),
    content_weight=1.0,
    style_weight=10.0,
    alpha=1.0)
# AdaIN's train.py draws no extra images.
train_dataloader = dict(dataset=dict(with_dis_images=False))
