# DDL on the resolution setting (ECCV 2020, arXiv 2002.03662): SCface
# fine-tuning with the 1.0 m (d3) images as easy and the 4.2 m (d1) images
# as hard (paper Fig. 1), from a trained IR-50 face model (load_from).
# Data: SCface surveillance images aligned to 112x112 as
# data/scface/train/<subject>/<image>, SCface names ending in _1 (d1, 4.2 m)
# are hard, _2 (d2) and _3 (d3) easy (rule hard_regex). The paper fine-tunes
# on 50 subjects and tests rank-1 on the other 80 [the split and the rank-1
# evaluation are not part of this config: see configs/ddl/README.md].
#   python tools/train.py configs/ddl/<this file> \
#       --cfg-options load_from=<trained IR-50 face model>.pth
_base_ = './ddl_iresnet50_8xb32-2e_vggface2-pose.py'

num_classes = 50  # SCface fine-tuning subjects
num_ids = 32
num_pairs = 16
iters_per_epoch = 50  # [reconstruction: SCface is small]
head = dict(num_classes=num_classes)
model = dict(head=head, hard_head=dict(num_classes=num_classes))
data_preprocessor = dict(num_classes=num_classes)
train_dataloader = dict(batch_size=2 * num_ids + 4 * num_pairs,
                        num_workers=2,
                        sampler=dict(num_ids=num_ids, num_pairs=num_pairs),
                        dataset=dict(data_root='data/scface/',
                                     split_file=None,
                                     hard_regex=r'_1\.[a-zA-Z]+$'))
param_scheduler = [
    dict(type='MultiStepLR',
         milestones=[iters_per_epoch],
         gamma=0.1,
         by_epoch=False)
]
train_cfg = dict(max_iters=2 * iters_per_epoch, val_interval=iters_per_epoch)
default_hooks = dict(checkpoint=dict(interval=iters_per_epoch))
