# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Each rank of the sharded head starts from its own rows of one full draw."""
import pytest
import torch

import projects.curricularface  # noqa: F401
from projects.curricularface import (CurricularFaceHead,
                                     ShardedCurricularFaceHead)
from projects.curricularface import sharded_curricularface_head as sharded


def _sharded_weight(monkeypatch, rank: int, world_size: int) -> torch.Tensor:
    monkeypatch.setattr(sharded, 'get_dist_info', lambda:
                        (rank, world_size))
    head = ShardedCurricularFaceHead(num_classes=10, in_channels=4)
    torch.manual_seed(0)
    head.init_weights()
    return head.norm_product.weight.detach()


@pytest.mark.parametrize('rank', [0, 1])
def test_shard_rows_equal_the_plain_head_under_one_seed(monkeypatch, rank):
    plain = CurricularFaceHead(num_classes=10, in_channels=4)
    torch.manual_seed(0)
    plain.init_weights()
    full = plain.norm_product.weight.detach()
    rows = _sharded_weight(monkeypatch, rank, 2)
    assert torch.equal(rows, full[rank * 5:(rank + 1) * 5])


def test_ranks_do_not_start_from_the_same_rows(monkeypatch):
    first = _sharded_weight(monkeypatch, 0, 2)
    second = _sharded_weight(monkeypatch, 1, 2)
    assert not torch.equal(first, second)
