# SemaTree on PASCAL-Person-Part (7 classes). The official code releases no
# tree for it; ours (see README.md) follows the body like LIP's:
#   R1: background | person
#   R2 (other): head | upper body | legs
#   R3 (other): torso | arms (upper, lower)
_base_ = [
    './_base_/sematree_r101-d16_150e.py',
    '../_base_/datasets/pascal_person_part.py'
]
pascal_person_part_tree = [[0], [[1], [[2], [3, 4]], [5, 6]]]
model = dict(
    decode_head=dict(tree=pascal_person_part_tree, num_classes=7))
