# DDL on the pose setting (ECCV 2020, arXiv 2002.03662; official
# Tencent/TFace tasks/ddl/train_config.yaml): IR-50, CurricularFace heads,
# 112x112, 512-d; four streams of 32 per GPU: easy (frontal) and hard
# (profile) identity-balanced VGGFace2 classification batches, one image per
# identity, and easy / hard positive-pair batches; fine-tuning from a trained
# face model (load_from) with SGD lr 0.001, momentum 0.9, wd 5e-4, 2 epochs,
# lr x0.1 after epoch 1. Data: VGGFace2 train aligned to 112x112 as
# data/vggface2/train/<identity>/<image>, and data/vggface2/pose_split.txt with
# "<identity>/<image> easy|hard" per image (frontal = easy, large yaw = hard,
# from a head-pose estimate; the official split file is not public).
#   bash tools/dist_train.sh configs/ddl/<this file> 8 \
#       --cfg-options load_from=<trained IR-50 face model>.pth
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(imports=['projects.ddl'], allow_failed_imports=False)

num_classes = 8631  # VGGFace2 train identities
num_ids = 32  # per classification stream and GPU
num_pairs = 32  # per pair stream and GPU [our reading of batch 32]
# One "epoch" = one pass of 8 GPUs x 32 easy images over the 3.14M VGGFace2
# training images [reconstruction: the official loop counts per dataset].
iters_per_epoch = 3141890 // (8 * num_ids)
head = dict(type='CurricularFaceHead',
            num_classes=num_classes,
            in_channels=512,
            scale=64.0,
            margins=0.5,
            # TFace's distributed CurricularFace head (DIST_FC: true):
            # alpha 0.1, t from the mean target cosine of the global batch
            momentum=0.1,
            sync_t=True,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0))
model = dict(type='DDLFaceRecognizer',
             flip_test=True,
             # the official code all-gathers the embeddings before DDL, and
             # its backward makes the DDL term act W (GPUs) times as strongly
             # as its weights ('official'); 'exact' is the global loss's
             gather_ddl_inputs=True,
             ddl_gradient='official',
             # TFace's IR_50 (BN-Conv-BN-PReLU-Conv-BN, subsampling shortcut,
             # dropout 0.4, non-affine embedding BN); load_from a model
             # trained with the same style
             backbone=dict(type='IResNet',
                           arch='ir50',
                           style='tface',
                           input_size=112,
                           embedding_dim=512,
                           dropout=0.4),
             head=head,
             hard_head=head,
             ddl_loss=dict(type='DistributionDistillationLoss',
                           pos_kl_weight=0.1,
                           neg_kl_weight=0.02,
                           order_loss_weight=0.5,
                           positive_threshold=0.0,
                           sigma=0.1,
                           num_bins=1000,
                           bin_start=0.0,
                           bin_step=0.001))
data_preprocessor = dict(num_classes=num_classes,
                         mean=[127.5, 127.5, 127.5],
                         std=[127.5, 127.5, 127.5],
                         to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs',
         meta_keys=('sample_idx', 'img_path', 'ori_shape', 'img_shape', 'flip',
                    'flip_direction', 'ddl_stream'))
]
val_pipeline = [dict(type='PackInputs')]
train_dataloader = dict(batch_size=2 * num_ids + 4 * num_pairs,
                        num_workers=8,
                        persistent_workers=True,
                        sampler=dict(type='DDLFourStreamSampler',
                                     num_ids=num_ids,
                                     num_pairs=num_pairs,
                                     hard_pairs='hard-hard'),
                        dataset=dict(type='DDLFaceDataset',
                                     data_root='data/vggface2/',
                                     data_prefix='train',
                                     split_file='data/vggface2/pose_split.txt',
                                     pipeline=train_pipeline))
# CFP-FP as val; LFW and CPLFW with
#   --cfg-options test_dataloader.dataset.ann_file=data/faces_bin/X.bin
val_dataloader = dict(batch_size=128,
                      num_workers=4,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(type='FaceBinPairDataset',
                                   ann_file='data/faces_bin/cfp_fp.bin',
                                   pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='FaceVerificationMetric', flip_fusion='sum')
test_evaluator = val_evaluator

# weight decay on every parameter, BN included: the official code leaves out
# parameters named '*bn*', and TFace's IR_50 has none
optim_wrapper = dict(optimizer=dict(type='SGD',
                                    lr=0.001,
                                    momentum=0.9,
                                    weight_decay=5e-4))
param_scheduler = [
    dict(type='MultiStepLR',
         milestones=[iters_per_epoch],
         gamma=0.1,
         by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop',
                 max_iters=2 * iters_per_epoch,
                 val_interval=iters_per_epoch)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(logger=dict(interval=100),
                     checkpoint=dict(type='CheckpointHook',
                                     by_epoch=False,
                                     interval=iters_per_epoch,
                                     max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
