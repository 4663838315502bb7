# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
import json

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.registry import init_default_scope

from projects.asfd import (DEFAULT_GENOTYPE, AutoFEM, AutoFEMSearch,
                           derive_genotype, load_genotype, save_genotype)
from projects.asfd.genotype import num_cell_edges

OPS = ('none', 'skip_connect', 'conv_1x1', 'sep_conv_3x3', 'max_pool_3x3')


def _feats(n=1):
    torch.manual_seed(0)
    return (torch.randn(n, 8, 16, 16), torch.randn(n, 12, 8, 8),
            torch.randn(n, 16, 4, 4))


def _count(model):
    return sum(p.numel() for p in model.parameters())


def test_autofem_shapes_grad_and_registry():
    init_default_scope('mmdet')
    neck = MODELS.build(
        dict(type='AutoFEM', in_channels=[8, 12, 16], out_channels=8,
             num_outs=5, num_repeats=2))
    assert neck.genotype == DEFAULT_GENOTYPE
    feats = [f.requires_grad_(True) for f in _feats(2)]
    outs = neck(tuple(feats))
    assert [o.shape[-1] for o in outs] == [16, 8, 4, 2, 1]
    assert all(o.shape[:2] == (2, 8) for o in outs)
    sum(o.sum() for o in outs).backward()
    assert all(f.grad.abs().sum() > 0 for f in feats)


def test_autofem_empty_batch():
    neck = AutoFEM([8, 12, 16], 8, 3).eval()
    outs = neck(tuple(f[:0] for f in _feats()))
    assert [tuple(o.shape) for o in outs] == [(0, 8, 16, 16), (0, 8, 8, 8),
                                              (0, 8, 4, 4)]


def test_autofem_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match=r'<= num_outs \(2\)'):
        AutoFEM([8, 12, 16], 8, 2)
    neck = AutoFEM([8, 12, 16], 8, 3)
    with pytest.raises(ValueError, match='got 2 backbone levels'):
        neck(_feats()[:2])
    bad = dict(fusion=dict(DEFAULT_GENOTYPE['fusion'], same='conv_9x9'),
               cell=DEFAULT_GENOTYPE['cell'])
    with pytest.raises(ValueError, match=r"genotype\['fusion'\]\['same'\]"):
        AutoFEM([8], 8, 1, genotype=bad)
    path = tmp_path / 'g.json'
    path.write_text(json.dumps(dict(fusion=DEFAULT_GENOTYPE['fusion'],
                                    cell=[[['sep_conv_3x3', 1]]])))
    with pytest.raises(ValueError, match=r"g.json\['cell'\]\[0\]\[0\]: src"):
        AutoFEM([8], 8, 1, genotype=str(path))
    with pytest.raises(FileNotFoundError, match='missing.json'):
        AutoFEM([8], 8, 1, genotype=str(tmp_path / 'missing.json'))
    with pytest.raises(ValueError, match='AutoFEMSearch searches'):
        AutoFEMSearch([8], 8, 1, genotype=DEFAULT_GENOTYPE)


def test_derive_genotype_by_hand():
    # Fusion rows: 'none' is never chosen even when strongest.
    fusion = torch.zeros(3, len(OPS))
    fusion[0, 0], fusion[0, 3] = 9., 2.  # finer -> sep_conv_3x3
    fusion[1, 1] = 1.  # same -> skip_connect
    fusion[2, 4] = 1.  # coarser -> max_pool_3x3
    cell = torch.zeros(num_cell_edges(3), len(OPS))
    cell[0, 2] = 1.  # node 0 <- input: conv_1x1
    cell[1, 3], cell[2, 4] = 3., 1.  # node 1: both inputs kept
    cell[3, 1], cell[4, 2], cell[5, 3] = 1., 5., 3.  # node 2: srcs 1 and 2
    genotype = derive_genotype(fusion, cell, OPS)
    assert genotype == dict(
        fusion=dict(finer='sep_conv_3x3', same='skip_connect',
                    coarser='max_pool_3x3'),
        cell=[[['conv_1x1', 0]],
              [['sep_conv_3x3', 0], ['max_pool_3x3', 1]],
              [['conv_1x1', 1], ['sep_conv_3x3', 2]]])


def test_genotype_export_import_builds_the_same_network(tmp_path):
    torch.manual_seed(0)
    search = AutoFEMSearch([8, 12, 16], 8, 4, op_names=OPS, num_nodes=3,
                           alpha_std=1.0)
    genotype = search.derive_genotype()
    path = str(tmp_path / 'genotype.json')
    save_genotype(genotype, path)
    assert load_genotype(path) == genotype
    first = AutoFEM([8, 12, 16], 8, 4, genotype=genotype)
    second = AutoFEM([8, 12, 16], 8, 4, genotype=path)
    assert _count(first) == _count(second) > 0
    second.load_state_dict(first.state_dict())  # strict: same modules
    first.eval(), second.eval()
    for a, b in zip(first(_feats()), second(_feats())):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize('kwargs,message', [
    (dict(num_nodes=0), 'num_nodes'),
    (dict(edges_per_node=0), 'edges_per_node'),
    (dict(op_names=('none', )), "besides 'none'"),
    (dict(genotype=DEFAULT_GENOTYPE), 'do not pass one'),
])
def test_search_neck_bad_settings_fail_at_build(kwargs, message):
    with pytest.raises(ValueError, match=message):
        AutoFEMSearch([8, 12, 16], 8, 4, **kwargs)


def test_checkpoint_of_another_genotype_is_refused():
    # 'same' fusion: identity vs 3x3 max pooling, both without parameters,
    # so the weights alone would load into the wrong network
    other = json.loads(json.dumps(DEFAULT_GENOTYPE))
    other['fusion']['same'] = 'max_pool_3x3'
    trained = AutoFEM([8, 12, 16], 8, 4)
    state = trained.state_dict()
    assert json.loads(bytes(state['genotype_json'].tolist())) == \
        DEFAULT_GENOTYPE
    AutoFEM([8, 12, 16], 8, 4).load_state_dict(state)  # same genotype
    with pytest.raises(ValueError, match='trained with the genotype') as err:
        AutoFEM([8, 12, 16], 8, 4, genotype=other).load_state_dict(state)
    # the message names both genotypes: the checkpoint's and the config's
    message = str(err.value)
    assert json.dumps(DEFAULT_GENOTYPE, sort_keys=True) in message
    assert json.dumps(other, sort_keys=True) in message


def test_search_neck_shapes_and_alpha_gradients():
    search = AutoFEMSearch([8, 12, 16], 8, 4, op_names=OPS, num_nodes=2)
    assert search.arch_fusion_alpha.shape == (3, len(OPS))
    assert search.arch_cell_alpha.shape == (3, len(OPS))
    outs = search(_feats(2))
    assert [tuple(o.shape) for o in outs] == [(2, 8, 16, 16), (2, 8, 8, 8),
                                              (2, 8, 4, 4), (2, 8, 2, 2)]
    sum(o.square().sum() for o in outs).backward()
    assert all(p.grad.abs().sum() > 0 for p in search.arch_parameters())
    assert 'fusion.finer' in search.arch_weight_table()
