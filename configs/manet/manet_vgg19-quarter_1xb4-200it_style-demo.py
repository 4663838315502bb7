# MANet CPU demo on generated images (tools/misc/make_style_images.py).
# Demo choices (not the paper's): a seeded random encoder stands in for the
# real VGG weights (no download here), VGG-19 at a quarter of its widths,
# 96-pixel images resized to 128x128 and cropped to 64, batch 4, 200
# iterations. Everything else (losses, weights, gate, Adam 1e-4 with
# inverse-time decay, dis sampling) is the recipe's.
#   python tools/misc/make_style_images.py data/demo/style_images
#   python tools/train.py configs/manet/manet_vgg19-quarter_1xb4-200it_style-demo.py
_base_ = ['./manet_vgg19_1xb8-160k_coco-wikiart.py']

data_root = 'data/demo/style_images/'
widths = (16, 32, 64, 128, 128)
model = dict(
    encoder=dict(widths=widths, init_cfg=None),
    ma_module=dict(in_channels=widths[3]),
    decoder=dict(widths=widths[:4]))

train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='Resize', scale=(128, 128), keep_ratio=False, backend='pillow'),
    dict(type='RandomCrop', crop_size=64),
]
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='ResizeEdge', scale=64, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=64),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(content='train/content', style='train/style'),
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(content='test/content', style='test/style'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=200, val_interval=200)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=100))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
