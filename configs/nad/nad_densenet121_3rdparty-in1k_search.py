# NAD path search on an ImageNet DenseNet-121 with the official settings of
# hujiecpp/NAD findpath.py (_base_/nad_search_in1k.py): gates after the
# official layers (preset 'densenet121', projects/nad/gate_presets.py) and
# beta 0.02 (the official table).
# The checkpoint is given on the command line: mmpretrain's
# densenet121_3rdparty_in1k (densenet121_4xb256_in1k_20220426-07450f99.pth),
# converted by mmpretrain from torchvision's densenet121-a639ec97.pth:
#   python tools/analysis/nad_search.py THIS_CONFIG CKPT --classes 0-999 \
#       --work-dir work_dirs/nad_densenet121_in1k
_base_ = [
    'mmpretrain::densenet/densenet121_4xb256_in1k.py',
    './_base_/nad_search_in1k.py'
]

nad = dict(positions='densenet121', beta=0.02)
