# NAD path search on an ImageNet VGG-16 with the official settings of
# hujiecpp/NAD findpath.py (_base_/nad_search_in1k.py): gates after the
# official layers (preset 'vgg16', projects/nad/gate_presets.py) and
# beta 4.5 (the official table).
# The checkpoint is given on the command line (configs/nad/README.md: how to
# convert torchvision's weights):
#   python tools/analysis/nad_search.py THIS_CONFIG CKPT --classes 0-999 \
#       --work-dir work_dirs/nad_vgg16_in1k
_base_ = ['mmpretrain::vgg/vgg16_8xb32_in1k.py', './_base_/nad_search_in1k.py']

nad = dict(positions='vgg16', beta=4.5)
