# CIHP (Crowd Instance-level Human Parsing) semantic parsing, mmseg 1.x
# dataset settings. CIHP has LIP's 20 classes (and ids), so LIP's dataset
# class, pipelines and flip pairs are reused.
# Layout (the official release):
#   data/CIHP/instance-level_human_parsing/{Training,Validation}/Images/*.jpg
#   data/CIHP/instance-level_human_parsing/{Training,Validation}/
#       Category_ids/*.png
_base_ = './lip.py'
data_root = 'data/CIHP/instance-level_human_parsing'
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(
            img_path='Training/Images',
            seg_map_path='Training/Category_ids')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(
            img_path='Validation/Images',
            seg_map_path='Validation/Category_ids')))
test_dataloader = val_dataloader
