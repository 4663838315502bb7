# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Tree parsing, validation and router/leaf target maps against hand-made
label maps."""
import pytest
import torch

from projects.sematree import SemanticTree

LIP_TREE = [[0], [[1, 2, 4, 13], [[5, 6, 7, 11], [3, 14, 15]],
                  [[9, 10, 12, 16, 17], [8, 18, 19]]]]


def test_lip_tree_matches_official_routers_and_leaves():
    tree = SemanticTree(LIP_TREE, 20)
    assert [tree.num_channels(r) for r in tree.routers] == [2, 4, 3, 3]
    assert [tree.num_channels(leaf) for leaf in tree.leaves] == [
        2, 5, 5, 4, 6, 4]
    assert [leaf.classes for leaf in tree.leaves] == [
        [0], [1, 2, 4, 13], [5, 6, 7, 11], [3, 14, 15], [9, 10, 12, 16, 17],
        [8, 18, 19]]
    assert tree.depth == 3
    assert not tree.has_other(tree.routers[0])
    # Every class appears once in the flat leaf order.
    flat = [c for leaf in tree.leaves for c in leaf.classes]
    assert [flat[i] for i in tree.class_channels()] == list(range(20))


def test_target_maps_hand_checked():
    # 0 bg; 1 | [2, 3] router: leaves [2], [3] ; classes 4 is a leaf.
    tree = SemanticTree([[0], [[1], [[2], [3]], [4]]], 5)
    label = torch.tensor([[0, 1, 2], [3, 4, 255]])
    root, inner, sub = tree.routers
    # root has no 'other': children {0} -> 0, {1..4} -> 1.
    assert tree.target_map(root, label).tolist() == [[0, 1, 1], [1, 1, 255]]
    # inner: other 0, [1] -> 1, [2, 3] -> 2, [4] -> 3.
    assert tree.target_map(inner, label).tolist() == [[0, 1, 2], [2, 3, 255]]
    assert tree.target_map(sub, label).tolist() == [[0, 0, 1], [2, 0, 255]]
    leaves = tree.leaves
    assert [leaf.classes for leaf in leaves] == [[0], [1], [2], [3], [4]]
    assert tree.target_map(leaves[0], label).tolist() == [[1, 0, 0],
                                                          [0, 0, 255]]
    assert tree.target_map(leaves[3], label).tolist() == [[0, 0, 0],
                                                          [1, 0, 255]]


def test_lip_targets_for_a_few_pixels():
    tree = SemanticTree(LIP_TREE, 20)
    label = torch.tensor([0, 13, 15, 11, 17, 18, 255])
    r1, r2, r3, r4 = tree.routers
    assert tree.target_map(r1, label).tolist() == [0, 1, 1, 1, 1, 1, 255]
    assert tree.target_map(r2, label).tolist() == [0, 1, 2, 2, 3, 3, 255]
    assert tree.target_map(r3, label).tolist() == [0, 0, 2, 1, 0, 0, 255]
    assert tree.target_map(r4, label).tolist() == [0, 0, 0, 0, 1, 2, 255]
    leaf_lower = tree.leaves[4]  # bg, 9, 10, 12, 16, 17
    assert tree.target_map(leaf_lower, label).tolist() == [
        0, 0, 0, 0, 5, 0, 255]


@pytest.mark.parametrize('spec, message', [
    ([[0], [1, 2]], r'missing ids \[3\], repeated ids \[\]'),
    ([[0, 1], [[1, 2], [3]]], r'missing ids \[\], repeated ids \[1\]'),
    ([[0], [[1], [2]]], r'missing ids \[3\]'),
])
def test_bad_cover_names_ids(spec, message):
    with pytest.raises(ValueError, match=message):
        SemanticTree(spec, 4)


def test_bad_specs():
    with pytest.raises(ValueError, match=r'tree\[1\]: class ids \[7\]'):
        SemanticTree([[0], [7]], 2)
    with pytest.raises(TypeError, match=r'tree\[1\]: a group mixes'):
        SemanticTree([[0], [1, [2]]], 3)
    with pytest.raises(ValueError, match=r'tree\[1\]: empty group'):
        SemanticTree([[0, 1], []], 2)
    with pytest.raises(ValueError, match='root must be a router'):
        SemanticTree([0, 1], 2)
    with pytest.raises(ValueError, match=r'tree\[1\]: a router needs'):
        SemanticTree([[0], [[1]]], 2)


def test_bad_labels_are_named():
    tree = SemanticTree([[0], [1]], 2)
    with pytest.raises(ValueError, match=r'ids \[2, 7\] \(3 pixels\)'):
        tree.target_map(tree.routers[0], torch.tensor([0, 2, 7, 7, 255]))


def test_empty_label_map():
    tree = SemanticTree([[0], [1]], 2)
    out = tree.target_map(tree.leaves[0], torch.zeros(0, 3, dtype=torch.long))
    assert out.shape == (0, 3)
