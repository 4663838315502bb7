# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The sharded demo config on 2 gloo processes under mmengine's DDP wrapper
(tools/train.py --launcher pytorch) trains as the plain demo config does on
the same 2 processes with ``sync_t=True``: the plain head sees the whole
batch through DDP's averaging, the sharded head through its all-gather.
Both start from the same weights (``load_from``; each rank of the sharded
run takes its rows). Rank 0's checkpoints hold every class's rows and
momentum (gathered), and resuming re-slices them: 2 + 2 iterations equal 4,
bit for bit."""
import importlib.util
import shutil
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
PLAIN = ('configs/curricularface/'
         'curricularface_iresnet-tiny_1xb32-300it_face-identities-demo.py')
SHARDED = ('configs/curricularface/curricularface_iresnet-tiny_2xb16-300it_'
           'face-identities-demo-sharded.py')


@pytest.fixture(scope='module')
def data(tmp_path_factory) -> Path:
    path = REPO / 'tools' / 'misc' / 'make_face_identities.py'
    spec = importlib.util.spec_from_file_location('make_face_ids', path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    root = tmp_path_factory.mktemp('faces')
    gen.write_train(str(root), num_ids=4, per_id=4, seed=0, size=16)
    return root


@pytest.fixture(scope='module')
def start(tmp_path_factory) -> Path:
    """The plain demo model's initial weights, 4 classes."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    import projects.curricularface  # noqa: F401
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(str(REPO / PLAIN))
    cfg.model.head.num_classes = 4
    cfg.model.backbone.input_size = 16
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    path = tmp_path_factory.mktemp('start') / 'start.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    return path


def _train(run_ranks, cfg, work_dir, data, *extra, head=()):
    run_ranks([
        'tools/train.py', cfg, '--work-dir',
        str(work_dir), '--launcher', 'pytorch', *extra, '--cfg-options',
        f'train_dataloader.dataset.data_root={data}/',
        'model.head.num_classes=4', 'data_preprocessor.num_classes=4',
        'model.backbone.input_size=16', 'train_dataloader.batch_size=4',
        'train_cfg.max_iters=4', 'train_cfg.val_interval=100',
        'default_hooks.checkpoint.interval=2', 'val_cfg=None',
        'val_dataloader=None', 'val_evaluator=None', 'test_cfg=None',
        'test_dataloader=None', 'test_evaluator=None',
        'env_cfg.dist_cfg.init_method={init_method}',
        'env_cfg.dist_cfg.timeout=120', *head
    ])


def _load(path: Path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


def test_sharded_head_under_ddp_equals_plain_head_and_resumes(
        tmp_path, data, start, run_ranks, assert_same_checkpoint):
    plain, sharded = tmp_path / 'plain', tmp_path / 'sharded'
    _train(run_ranks, PLAIN, plain, data,
           head=['model.head.sync_t=True', f'load_from={start}'])
    _train(run_ranks, SHARDED, sharded, data, head=[f'load_from={start}'])
    # after 2 iterations (lr 0.1 moves the tiny model's weights by ~1 an
    # iteration, so later iterations amplify rounding differences)
    a, b = _load(plain / 'iter_2.pth'), _load(sharded / 'iter_2.pth')
    assert a['state_dict'].keys() == b['state_dict'].keys()
    # rank 0's checkpoint holds all 4 classes' rows
    assert b['state_dict']['head.norm_product.weight'].shape[0] == 4
    for key, value in a['state_dict'].items():
        # equal within float32 rounding (other reduction orders)
        torch.testing.assert_close(
            b['state_dict'][key], value, rtol=1e-4, atol=1e-4, msg=key)
    assert a['state_dict']['head.t'] != 0
    # every parameter's momentum, the head's 4 rows gathered from 2 ranks
    momentum = [{
        k: s['momentum_buffer']
        for k, s in c['optimizer']['state'].items()
    } for c in (a, b)]
    assert momentum[0].keys() == momentum[1].keys()
    for key, value in momentum[0].items():
        assert momentum[1][key].shape == value.shape
        torch.testing.assert_close(momentum[1][key], value, rtol=1e-4,
                                   atol=1e-4)

    resumed = tmp_path / 'resumed'
    resumed.mkdir()
    shutil.copy(sharded / 'iter_2.pth', resumed / 'iter_2.pth')
    _train(run_ranks, SHARDED, resumed, data, '--resume',
           str(resumed / 'iter_2.pth'))
    assert_same_checkpoint(_load(resumed / 'iter_4.pth'),
                           _load(sharded / 'iter_4.pth'))
