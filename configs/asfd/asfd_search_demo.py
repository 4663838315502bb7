# Auto-FEM search demo on the generated cartoon faces, on the CPU, bounded:
# 4 epochs of 12 iterations (each an alpha step and a weight step):
#   python tools/misc/make_cartoon_faces.py data/demo/cartoon_faces
#   python tools/train.py configs/asfd/asfd_search_demo.py
# writes work_dirs/asfd_search_demo/genotype.json (the derived Auto-FEM) and
# arch_weights.json (softmax-ed alphas per epoch); asfd_tiny_demo.py then
# trains the tiny ASFD with it. Weights learn on 96 train images, the
# architecture on 48 held-out val images.
_base_ = './asfd_tiny_demo.py'

model = dict(
    neck=dict(
        _delete_=True,
        type='AutoFEMSearch',
        in_channels=[16, 48, 160],
        out_channels=16,
        num_outs=4,
        num_nodes=2,
        partial_k=4))

train_dataloader = dict(dataset=dict(indices=96))
held_out = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='ICartoonFaceDataset',
        data_root={{_base_.data_root}},
        ann_file='val.csv',
        img_list='val_list.txt',
        data_prefix=dict(img='images/val/'),
        indices=48,
        filter_cfg=dict(filter_empty_gt=False, min_size=0),
        pipeline={{_base_.demo_pipeline}}))
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None

# several processes (tools/dist_train.sh): the alpha and weight steps each
# freeze the other parameter set, which DDP accepts only with this
find_unused_parameters = True
train_cfg = dict(
    _delete_=True,
    type='BilevelSearchLoop',
    max_epochs=4,
    arch_start_epoch=1,
    arch_optimizer=dict(
        type='Adam', lr=3e-3, betas=(0.5, 0.999), weight_decay=1e-3),
    arch_dataloader=held_out,
    genotype_file='genotype.json')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10)
]
default_hooks = dict(
    logger=dict(interval=4), checkpoint=dict(interval=1, max_keep_ckpts=2))
log_processor = dict(window_size=4)
