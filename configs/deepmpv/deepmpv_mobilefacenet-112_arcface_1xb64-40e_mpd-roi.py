# The DeepMPV+ matcher at MobileFaceNet's original 112x112 input (GDC
# kernel 7 instead of 14); everything else as the 224 config.
_base_ = './deepmpv_mobilefacenet-224_arcface_1xb64-40e_mpd-roi.py'

input_size = 112
model = dict(backbone=dict(input_size=input_size))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(input_size, input_size)),
    dict(type='PackInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = val_dataloader
