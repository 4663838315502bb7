# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Auto-FEM genotypes: validation, JSON export/import and derivation."""
import copy
import json
import os.path as osp
from typing import List, Sequence, Union

import torch
from torch import Tensor

from .candidate_ops import CANDIDATE_OPS

#: Fusion inputs of a pyramid level: the finer neighbour (downsampled), the
#: level itself and the coarser neighbour (upsampled).
FUSION_DIRECTIONS = ('finer', 'same', 'coarser')

#: ``{'fusion': {direction: op}, 'cell': [[[op, src], ...] per node]}``;
#: ``src`` 0 is the cell input, ``k`` is node ``k - 1``.
Genotype = dict


def cell_edge_index(node: int, src: int) -> int:
    """Row of the cell edge ``src -> node`` in the cell's alpha matrix."""
    return node * (node + 1) // 2 + src


def num_cell_edges(num_nodes: int) -> int:
    """Edges of a cell whose node ``j`` reads the input and nodes < j."""
    return cell_edge_index(num_nodes, 0)


def _check_op(op: object, field: str) -> None:
    if op not in CANDIDATE_OPS or op == 'none':
        raise ValueError(
            f'{field}: {op!r} is not an Auto-FEM operation; '
            f'choose from {sorted(set(CANDIDATE_OPS) - {"none"})}')


def validate_genotype(genotype: Genotype, source: str = 'genotype') -> None:
    """Raise ``ValueError`` naming the bad field of ``genotype``."""
    if not isinstance(genotype, dict) or set(genotype) != {'fusion', 'cell'}:
        raise ValueError(f'{source}: a genotype is a dict with keys '
                         f"'fusion' and 'cell', got {genotype!r}")
    fusion = genotype['fusion']
    if not isinstance(fusion, dict) or set(fusion) != set(FUSION_DIRECTIONS):
        raise ValueError(f"{source}['fusion'] must have keys "
                         f'{FUSION_DIRECTIONS}, got {fusion!r}')
    for direction, op in fusion.items():
        _check_op(op, f"{source}['fusion'][{direction!r}]")
    cell = genotype['cell']
    if not isinstance(cell, (list, tuple)) or not cell:
        raise ValueError(f"{source}['cell'] must be a non-empty list of "
                         f'nodes, got {cell!r}')
    for node, edges in enumerate(cell):
        if not isinstance(edges, (list, tuple)) or not edges:
            raise ValueError(f"{source}['cell'][{node}] must be a non-empty "
                             f'list of [op, src], got {edges!r}')
        for e, edge in enumerate(edges):
            field = f"{source}['cell'][{node}][{e}]"
            if not isinstance(edge, (list, tuple)) or len(edge) != 2:
                raise ValueError(f'{field} must be [op, src], got {edge!r}')
            _check_op(edge[0], field)
            if not isinstance(edge[1], int) or not 0 <= edge[1] <= node:
                raise ValueError(f'{field}: src must be an int in '
                                 f'[0, {node}], got {edge[1]!r}')


def load_genotype(genotype: Union[str, Genotype]) -> Genotype:
    """A validated deep copy of ``genotype`` (a dict or a JSON file path)."""
    if isinstance(genotype, str):
        if not osp.isfile(genotype):
            raise FileNotFoundError(f'genotype file {genotype} not found')
        with open(genotype) as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as e:
                raise ValueError(f'{genotype}: invalid JSON: {e}') from e
        validate_genotype(data, genotype)
        return data
    validate_genotype(genotype)
    return copy.deepcopy(genotype)


def save_genotype(genotype: Genotype, path: str) -> None:
    """Write ``genotype`` as JSON to ``path``."""
    validate_genotype(genotype)
    with open(path, 'w') as f:
        json.dump(genotype, f, indent=2)


def _best_op(row: Tensor, op_names: Sequence[str]) -> int:
    keep = [i for i, name in enumerate(op_names) if name != 'none']
    return keep[int(torch.argmax(row[keep]))]


def derive_genotype(fusion_alpha: Tensor,
                    cell_alpha: Tensor,
                    op_names: Sequence[str],
                    edges_per_node: int = 2) -> Genotype:
    """The discrete architecture of DARTS-style alphas.

    Each fusion direction keeps its strongest non-``none`` operation; each
    cell node keeps its ``edges_per_node`` strongest inputs (edge strength is
    the largest non-``none`` softmax weight), each with its strongest
    operation.

    Args:
        fusion_alpha (Tensor): (3, len(op_names)), rows in
            :data:`FUSION_DIRECTIONS` order.
        cell_alpha (Tensor): (num_cell_edges, len(op_names)).
        op_names (Sequence[str]): Candidate operations of the columns.
        edges_per_node (int): Inputs kept per node. Defaults to 2.

    Returns:
        dict: The genotype.
    """
    if [n for n in op_names if n != 'none'] == []:
        raise ValueError('op_names has no operation besides none')
    fw = fusion_alpha.detach().softmax(-1)
    cw = cell_alpha.detach().softmax(-1)
    fusion = {
        d: op_names[_best_op(fw[i], op_names)]
        for i, d in enumerate(FUSION_DIRECTIONS)
    }
    cell: List[list] = []
    node = 0
    while cell_edge_index(node + 1, 0) <= cw.size(0):
        rows = [cell_edge_index(node, s) for s in range(node + 1)]
        best = [_best_op(cw[r], op_names) for r in rows]
        strength = [float(cw[r, b]) for r, b in zip(rows, best)]
        order = sorted(range(node + 1), key=lambda s: -strength[s])
        srcs = sorted(order[:edges_per_node])
        cell.append([[op_names[best[s]], s] for s in srcs])
        node += 1
    genotype = dict(fusion=fusion, cell=cell)
    validate_genotype(genotype)
    return genotype
