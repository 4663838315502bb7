# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The class tree of SemaTree: parsing, validation and target maps."""
from dataclasses import dataclass, field
from typing import List, Sequence, Union

import torch
from torch import Tensor

TreeSpec = Sequence[Union[int, Sequence]]


@dataclass
class TreeNode:
    """One node of a semantic tree.

    A leaf holds class ids; a router holds child nodes.

    Args:
        path (str): Where the node sits in the config, e.g. ``tree[1][0]``.
        depth (int): Depth below the root router (the root is 0).
        classes (list[int]): Every class id in the node's subtree.
        children (list[TreeNode]): Child nodes; empty for a leaf.
    """
    path: str
    depth: int
    classes: List[int]
    children: List['TreeNode'] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        """Whether the node is a leaf."""
        return not self.children


class SemanticTree:
    """A class hierarchy for `Learning Semantic Neural Tree for Human Parsing
    <https://arxiv.org/abs/1912.09622>`_ given as nested groups of class ids.

    A list of ints is a leaf (its fine classes); a list of lists is a router
    (its children). The root must be a router. Every class id in
    ``[0, num_classes)`` must appear exactly once.

    Channels, in the order the head predicts them:

    - router: ``[other] + children`` where the ``other`` channel (index 0)
      exists iff the router's subtree does not hold every class;
    - leaf: ``[leaf-bg] + classes`` where ``leaf-bg`` (index 0) takes every
      class outside the leaf.

    The target map of a node maps label ``y`` to ``t(y)``: the index of the
    child (or leaf class) whose subtree holds ``y``, else 0; the ignore index
    stays the ignore index.

    Args:
        tree (Sequence): Nested groups of class ids.
        num_classes (int): Number of classes of the label maps.
        ignore_index (int): Label that is ignored. Defaults to 255.
    """

    def __init__(self,
                 tree: TreeSpec,
                 num_classes: int,
                 ignore_index: int = 255) -> None:
        if not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f'num_classes must be an int >= 2, got '
                             f'{num_classes!r}')
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.root = self._parse(tree, 'tree', 0)
        if self.root.is_leaf:
            raise ValueError('tree: the root must be a router (a list of '
                             f'groups), got a leaf {list(tree)}')
        self._check_cover(self.root.classes)
        self.routers: List[TreeNode] = []
        self.leaves: List[TreeNode] = []
        self._collect(self.root)

    def _parse(self, spec: TreeSpec, path: str, depth: int) -> TreeNode:
        if isinstance(spec, (str, bytes)) or not isinstance(spec, Sequence):
            raise TypeError(f'{path}: expected a list of class ids or of '
                            f'groups, got {type(spec).__name__} {spec!r}')
        if len(spec) == 0:
            raise ValueError(f'{path}: empty group')
        is_int = [isinstance(item, int) and not isinstance(item, bool)
                  for item in spec]
        if all(is_int):
            bad = [c for c in spec if not 0 <= c < self.num_classes]
            if bad:
                raise ValueError(f'{path}: class ids {bad} are outside '
                                 f'[0, {self.num_classes})')
            return TreeNode(path, depth, list(spec))
        if any(is_int):
            raise TypeError(f'{path}: a group mixes class ids and sub-groups '
                            f'({list(spec)}); wrap the ids in their own list')
        if len(spec) < 2:
            raise ValueError(f'{path}: a router needs at least 2 children')
        children = [
            self._parse(child, f'{path}[{i}]', depth + 1)
            for i, child in enumerate(spec)
        ]
        classes = [c for child in children for c in child.classes]
        return TreeNode(path, depth, classes, children)

    def _check_cover(self, classes: List[int]) -> None:
        seen = set()
        repeated = sorted({c for c in classes if c in seen or seen.add(c)})
        missing = sorted(set(range(self.num_classes)) - seen)
        if missing or repeated:
            raise ValueError(
                'tree must hold every class id in [0, '
                f'{self.num_classes}) exactly once: missing ids {missing}, '
                f'repeated ids {repeated}')

    def _collect(self, node: TreeNode) -> None:
        # Depth-first, children in order: LIP gives R1, R2, R3, R4 and
        # L0..L5 exactly as the official code numbers them.
        if node.is_leaf:
            self.leaves.append(node)
            return
        self.routers.append(node)
        for child in node.children:
            self._collect(child)

    @property
    def depth(self) -> int:
        """Depth of the deepest node (a root with leaf children has 1)."""
        return max(leaf.depth for leaf in self.leaves)

    def has_other(self, node: TreeNode) -> bool:
        """Whether a node has the channel 0 for classes outside it."""
        return len(node.classes) < self.num_classes

    def num_channels(self, node: TreeNode) -> int:
        """Number of output channels a router or leaf predicts."""
        groups = node.classes if node.is_leaf else node.children
        return len(groups) + int(self.has_other(node))

    def lookup_table(self, node: TreeNode) -> Tensor:
        """Label -> target of a node as a table of length ``num_classes``."""
        offset = int(self.has_other(node))
        table = torch.zeros(self.num_classes, dtype=torch.long)
        if node.is_leaf:
            for i, c in enumerate(node.classes):
                table[c] = i + offset
        else:
            for i, child in enumerate(node.children):
                table[child.classes] = i + offset
        return table

    def target_map(self, node: TreeNode, label: Tensor) -> Tensor:
        """Remap a label map to the targets of one router or leaf.

        Args:
            node (TreeNode): A router or leaf of this tree.
            label (Tensor): Integer labels of any shape.

        Returns:
            Tensor: Targets of the same shape; ignored pixels stay ignored.
        """
        self.check_labels(label)
        ignored = label == self.ignore_index
        table = self.lookup_table(node).to(label.device)
        target = table[torch.where(ignored, torch.zeros_like(label), label)]
        return target.masked_fill(ignored, self.ignore_index)

    def check_labels(self, label: Tensor) -> None:
        """Raise if a label map holds ids that are neither classes nor the
        ignore index."""
        bad = (label != self.ignore_index) & (
            (label < 0) | (label >= self.num_classes))
        if bad.any():
            values = torch.unique(label[bad]).tolist()
            raise ValueError(
                f'label map holds ids {values[:10]} ({int(bad.sum())} '
                f'pixels) outside [0, {self.num_classes}) that are not the '
                f'ignore index {self.ignore_index}')

    def class_channels(self) -> List[int]:
        """For every class id, its flat index in the concatenation of all
        leaves' class channels (leaf-bg channels left out)."""
        flat = [c for leaf in self.leaves for c in leaf.classes]
        return [flat.index(c) for c in range(self.num_classes)]
