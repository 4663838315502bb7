# NAD path search on an ImageNet ResNet-50 with the official settings of
# hujiecpp/NAD findpath.py (_base_/nad_search_in1k.py): gates after the
# official layers (preset 'resnet50', projects/nad/gate_presets.py) and
# beta 0.02 (the official table).
# The checkpoint is given on the command line (configs/nad/README.md: how to
# convert torchvision's weights):
#   python tools/analysis/nad_search.py THIS_CONFIG CKPT --classes 0-999 \
#       --work-dir work_dirs/nad_resnet50_in1k
_base_ = [
    'mmpretrain::resnet/resnet50_8xb32_in1k.py', './_base_/nad_search_in1k.py'
]

nad = dict(positions='resnet50', beta=0.02)
