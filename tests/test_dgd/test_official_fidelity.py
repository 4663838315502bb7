# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DGD against the official filter-grafting code (issue 18, item 2): the
CIFAR MobileNetV2 and ResNet networks and their init, peers drawing their own
data order, and the ImageNet schedule."""
import math
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import DefaultSampler
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import projects.dgd  # noqa: F401
import projects.dgd.peer_sampler as peer_sampler_module
from projects.dgd import PeerBatchSampler, PeerSampler

from ._tiny import KD, batch, peer_cfg

CFG_DIR = Path(__file__).resolve().parents[2] / 'configs' / 'dgd'
# sum(p.numel()) of grafting_cifar/models/mobilenetv2.py MobileNetV2 and
# resnet.py resnet56 (fxmeng/filter-grafting@ce4b88c)
MBV2 = {10: 2_296_922, 100: 2_412_212}
RESNET56_CIFAR10 = 853_018
MBV2_CONV_TENSORS = 57  # state-dict tensors with ndim >= 3 (grafted convs)


def _classifier(backbone: dict, channels: int, classes: int, **head):
    init_default_scope('mmpretrain')
    return MODELS.build(
        dict(type='ImageClassifier',
             backbone=backbone,
             neck=dict(type='GlobalAveragePooling'),
             head=dict(type='LinearClsHead', num_classes=classes,
                       in_channels=channels, **head)))


@pytest.mark.parametrize('classes', [10, 100])
def test_mobilenetv2_is_the_official_network(classes):
    with torch.device('meta'):
        model = _classifier(dict(type='CifarMobileNetV2'), 1280, classes)
    assert sum(p.numel() for p in model.parameters()) == MBV2[classes]
    convs = [k for k, v in model.backbone.state_dict().items() if v.dim() >= 3]
    assert len(convs) == MBV2_CONV_TENSORS
    # width-changing stride-1 blocks have a shortcut conv: 32->16, 16->24,
    # 64->96, 160->320; the expansion-1 block keeps its 32->32 expansion
    with_conv = [i for i, b in enumerate(model.backbone.layers)
                 if b.shortcut is not None]
    assert with_conv == [0, 1, 10, 16]
    assert model.backbone.layers[0].expand.conv.weight.shape == (32, 32, 1,
                                                                 1)


def test_mobilenetv2_block_by_hand_relu_and_residual():
    torch.manual_seed(0)
    init_default_scope('mmpretrain')
    net = MODELS.build(dict(type='CifarMobileNetV2'))
    net.init_weights()
    block = net.layers[1].eval()  # 16 -> 24, expansion 6, stride 1
    x = 3 * torch.randn(2, 16, 4, 4)

    def bn(y, m):
        return F.batch_norm(y, m.running_mean, m.running_var, m.weight,
                            m.bias, eps=m.eps)

    out = F.relu(bn(F.conv2d(x, block.expand.conv.weight), block.expand.bn))
    out = F.relu(bn(F.conv2d(out, block.depthwise.conv.weight, padding=1,
                             groups=96), block.depthwise.bn))
    out = bn(F.conv2d(out, block.project.conv.weight), block.project.bn)
    short = bn(F.conv2d(x, block.shortcut.conv.weight), block.shortcut.bn)
    torch.testing.assert_close(block(x), out + short)
    acts = {type(m) for m in net.modules()
            if isinstance(m, (nn.ReLU, nn.ReLU6))}
    assert acts == {nn.ReLU}
    # stride 2: no residual
    down = net.layers[3].eval()
    assert down.stride == 2 and down.shortcut is None


def test_mobilenetv2_keeps_pytorch_default_init():
    torch.manual_seed(0)
    model = _classifier(dict(type='CifarMobileNetV2'), 1280, 10,
                        init_cfg=None)
    model.init_weights()
    for name, m in model.named_modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            # kaiming_uniform(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in))
            assert m.weight.abs().max() <= 1 / math.sqrt(fan_in), name
            assert m.weight.std() > 0.4 / math.sqrt(3 * fan_in), name
        if isinstance(m, nn.BatchNorm2d):
            assert torch.all(m.weight == 1) and torch.all(m.bias == 0)


def test_cifar_resnet_init_and_count_as_official():
    torch.manual_seed(0)
    cfg = Config.fromfile(str(CFG_DIR / '_base_' / 'dgd_resnet56_cifar.py'))
    model = _classifier(cfg.model.classifier.backbone, 64, 10,
                        init_cfg=cfg.model.classifier.head.init_cfg)
    assert sum(p.numel() for p in model.parameters()) == RESNET56_CIFAR10
    model.init_weights()
    # no zero-initialised residual BN: every BN weight starts at 1
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            assert torch.all(m.weight == 1)
    # Kaiming normal with fan-in: std sqrt(2 / fan_in) (fan-out would give
    # sqrt(2 / 288) = 0.083 for this 16 -> 32 conv)
    conv = model.backbone.layer2[0].conv1
    assert conv.weight.shape == (32, 16, 3, 3)
    assert conv.weight.std().item() == pytest.approx(math.sqrt(2 / 144),
                                                     rel=0.05)
    fc = model.head.fc.weight
    assert fc.std().item() == pytest.approx(math.sqrt(2 / 64), rel=0.2)


class _Indices:

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n


def _batches(epoch: int = 0, size: int = 3, drop_last: bool = False,
             seed: int = 5):
    sampler = DefaultSampler(_Indices(10), shuffle=False, seed=0)
    sampler.set_epoch(epoch)
    return list(
        PeerBatchSampler(sampler, size, num_peers=2, drop_last=drop_last,
                         seed=seed))


def test_peer_batch_sampler_gives_each_peer_its_own_order():
    batches = _batches()
    assert [len(b) for b in batches] == [6, 6, 6, 2]
    peers = [[i for b in batches for i in b[:len(b) // 2]],
             [i for b in batches for i in b[len(b) // 2:]]]
    for order in peers:  # every image once per epoch and peer
        assert sorted(order) == list(range(10))
    assert peers[0] != peers[1]
    assert _batches() == batches  # fixed by seed and epoch
    assert _batches(epoch=1) != batches and _batches(seed=6) != batches
    assert [len(b) for b in _batches(drop_last=True)] == [6, 6, 6]


def test_peers_train_on_their_own_chunks():
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    shared = MODELS.build(peer_cfg(num_peers=2))
    torch.manual_seed(0)
    own = MODELS.build(peer_cfg(num_peers=2, peer_batches=True,
                                online_kd=KD))
    own.load_state_dict(shared.state_dict())
    inputs, samples = batch(8)
    before = {k: v.clone() for k, v in own.peers[1].state_dict().items()
              if 'running' in k}
    losses = own.loss(inputs, samples)
    # peer 1's BN statistics moved by its own chunk only, not by the
    # no-grad forward on peer 0's chunk for peer 0's distillation target
    ref = MODELS.build(peer_cfg(num_peers=2))
    ref.load_state_dict(shared.state_dict())
    ref.peers[1].train()
    ref_losses = ref.loss(inputs[4:], samples[4:])
    torch.testing.assert_close(losses['peer1.loss_cls'],
                               ref_losses['peer1.loss_cls'])
    for key, value in ref.peers[1].state_dict().items():
        if 'running' in key:
            assert torch.equal(own.peers[1].state_dict()[key], value), key
            assert not torch.equal(before[key], value), key
    # peer 0 on chunk 0 (train-mode BN: batch statistics of the chunk)
    ref0 = ref.loss(inputs[:4], samples[:4])['peer0.loss_cls']
    torch.testing.assert_close(losses['peer0.loss_cls'], ref0)
    whole = ref.loss(inputs, samples)['peer0.loss_cls']
    assert not torch.allclose(losses['peer0.loss_cls'], whole)
    assert {'peer0.loss_kd', 'peer1.loss_kd'} <= set(losses)
    with pytest.raises(ValueError, match='2 equal chunks'):
        own.loss(*batch(5))
    with pytest.raises(ValueError, match='per_rank_order'):
        MODELS.build(peer_cfg(distributed_peers=True, peer_seed=0,
                              peer_batches=True))


def test_peer_sampler_per_rank_order(monkeypatch):
    data = _Indices(50)
    orders = []
    for rank in (0, 1):
        monkeypatch.setattr(peer_sampler_module, 'get_dist_info',
                            lambda: (rank, 2))
        orders.append(list(PeerSampler(data, seed=3, per_rank_order=True)))
    assert sorted(orders[0]) == sorted(orders[1]) == list(range(50))
    assert orders[0] != orders[1]
    assert list(PeerSampler(data, seed=3)) == list(PeerSampler(data, seed=3))


def test_imagenet_configs_follow_the_official_script():
    for name in ('dgd-dgd_resnet18_2peers-8xb32-90e_in1k.py',
                 'dgd-grafting_resnet18_2peers-8xb32-90e_in1k.py'):
        cfg = Config.fromfile(str(CFG_DIR / name))
        (sched, ) = cfg.param_scheduler
        assert sched.type == 'CosineAnnealingLR' and sched.T_max == 90
        assert sched.convert_to_iter_based and sched.eta_min == 0.0
        assert cfg.train_cfg.max_epochs == 90
        opt = cfg.optim_wrapper.optimizer
        assert (opt.lr, opt.momentum, opt.weight_decay) == (0.1, 0.9, 1e-4)
        assert cfg.optim_wrapper.paramwise_cfg.peer_lr_mult == [1.0, 1.0]
        assert cfg.model.peer_batches
        assert cfg.train_dataloader.batch_sampler.type == 'PeerBatchSampler'
    per_rank = Config.fromfile(
        str(CFG_DIR / 'dgd-dgd_resnet18_1peer-per-rank-90e_in1k.py'))
    assert per_rank.train_dataloader.batch_sampler is None
    assert not per_rank.model.peer_batches
    assert per_rank.optim_wrapper.paramwise_cfg.peer_lr_mult == 'dlr'
    cifar = Config.fromfile(
        str(CFG_DIR / 'dgd-dgd_mobilenetv2_2peers-b128-200e_cifar100.py'))
    assert cifar.model.peer_batches and cifar.train_dataloader.batch_size \
        == 128
    assert cifar.model.classifier.head.init_cfg is None
    # the official code normalises CIFAR-100 with CIFAR-10's mean / std
    assert cifar.data_preprocessor.mean == [125.307, 122.961, 113.8575]
    assert cifar.data_preprocessor.std == [51.5865, 50.847, 51.255]
