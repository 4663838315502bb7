# CIHP (Crowd Instance-level Human Parsing) semantic parsing, mmseg 1.x
# dataset settings. CIHP's 20 ids are LIP's except id 10, Torso-skin in CIHP
# (Jumpsuits in LIP): LIP's dataset class, pipelines and left/right flip
# pairs are reused with CIHP's class names.
# Layout (the official release):
#   data/CIHP/instance-level_human_parsing/{Training,Validation}/Images/*.jpg
#   data/CIHP/instance-level_human_parsing/{Training,Validation}/
#       Category_ids/*.png
_base_ = './lip.py'
data_root = 'data/CIHP/instance-level_human_parsing'
cihp_metainfo = dict(classes=('Background', 'Hat', 'Hair', 'Glove',
                              'Sunglasses', 'UpperClothes', 'Dress', 'Coat',
                              'Socks', 'Pants', 'Torso-skin', 'Scarf',
                              'Skirt', 'Face', 'Left-arm', 'Right-arm',
                              'Left-leg', 'Right-leg', 'Left-shoe',
                              'Right-shoe'))
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=cihp_metainfo,
        data_prefix=dict(
            img_path='Training/Images',
            seg_map_path='Training/Category_ids')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=cihp_metainfo,
        data_prefix=dict(
            img_path='Validation/Images',
            seg_map_path='Validation/Category_ids')))
test_dataloader = val_dataloader
