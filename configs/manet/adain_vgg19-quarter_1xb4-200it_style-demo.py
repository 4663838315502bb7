# The AdaIN baseline of the MANet CPU demo: same generated data, encoder
# (seeded random, quarter widths), decoder, crops, batch and schedule;
# AdaIN at relu4_1 and AdaIN's losses (content 1, style 10).
#   python tools/train.py configs/manet/adain_vgg19-quarter_1xb4-200it_style-demo.py
_base_ = ['./manet_vgg19-quarter_1xb4-200it_style-demo.py']

widths = (16, 32, 64, 128, 128)
model = dict(
    _delete_=True,
    type='AdaINStyleTransfer',
    encoder=dict(type='NormalisedVGG19Encoder', widths=widths),
    decoder=dict(type='MirrorVGGDecoder', widths=widths[:4]),
    content_weight=1.0,
    style_weight=10.0,
    alpha=1.0)
train_dataloader = dict(dataset=dict(with_dis_images=False))
