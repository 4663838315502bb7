# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""SemaTree decode head for MMSegmentation."""
import logging
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import (ConvModule, build_activation_layer, build_conv_layer,
                      build_norm_layer)
from mmengine.logging import print_log
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.decode_heads.psp_head import PPM
from mmseg.models.losses import accuracy
from mmseg.models.utils import SELayer, resize
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptConfigType, SampleList
from torch import Tensor

from .sampled_deform_conv import SampledModulatedDeformConv2dPack
from .semantic_tree import SemanticTree, TreeNode, TreeSpec


class _ConvSEBlock(nn.Sequential):
    """``conv -> SE -> norm -> act -> Dropout2d``, the unit of SemaTree's
    routers, leaves and semantic aggregation module."""

    def __init__(self, conv: nn.Module, channels: int, se_ratio: int,
                 norm_cfg: ConfigType, act_cfg: ConfigType,
                 dropout: float) -> None:
        super().__init__(
            conv,
            SELayer(channels, se_ratio,
                    act_cfg=(dict(type='ReLU'), dict(type='Sigmoid'))),
            build_norm_layer(norm_cfg, channels)[1]
            if norm_cfg else nn.Identity(),
            build_activation_layer(act_cfg) if act_cfg else nn.Identity(),
            nn.Dropout2d(dropout))


class _ChildTransform(nn.Module):
    """PSP-style transform of a routed child feature: pyramid pooling then a
    3x3 bottleneck (``PSPModule`` of the official code)."""

    def __init__(self, in_channels: int, channels: int,
                 pool_scales: Sequence[int], norm_cfg: ConfigType,
                 act_cfg: ConfigType, align_corners: bool) -> None:
        super().__init__()
        self.ppm = PPM(pool_scales, in_channels, channels, None, norm_cfg,
                       act_cfg, align_corners)
        self.bottleneck = ConvModule(
            in_channels + len(pool_scales) * channels,
            channels,
            3,
            padding=1,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)

    def forward(self, x: Tensor) -> Tensor:
        """Pool at every scale, concatenate with ``x`` and fuse."""
        return self.bottleneck(torch.cat([x, *self.ppm(x)], dim=1))


def _with_ignore_index(cfg: ConfigType, ignore_index: int,
                       field: str) -> ConfigType:
    """``cfg`` with the head's ``ignore_index`` (the losses index classes
    with the label map, so an ignore label they do not know would be read as
    a class); a different explicit value is an error."""
    if not isinstance(cfg, dict):
        return cfg
    cfg = dict(cfg)
    own = cfg.setdefault('ignore_index', ignore_index)
    if own != ignore_index:
        raise ValueError(f'SemanticNeuralTreeHead: {field}.ignore_index '
                         f'({own}) differs from the head\'s ignore_index '
                         f'({ignore_index})')
    return cfg


@MODELS.register_module()
class SemanticNeuralTreeHead(BaseDecodeHead):
    """Decode head of `Learning Semantic Neural Tree for Human Parsing
    <https://arxiv.org/abs/1912.09622>`_ (SemaTree, ECCV 2020).

    The classes are organised as a tree (:class:`SemanticTree`). Starting
    from ``f_root = conv1x1(C5)``, a router ``R`` on feature ``f`` predicts
    ``r = softmax(R(f))`` over its children and child ``j`` gets

    .. math::
        f_j = \\mathrm{up}\\big([T_j(f \\odot r_j), R(f)]\\big)
              + \\mathrm{lat}_{d+1}(C_{4-d})

    where ``T_j`` is a PSP transform, ``[.,.]`` concatenation and ``lat`` a
    1x1 lateral conv of the backbone feature one level finer. Leaves
    predict their fine classes plus a leaf-background channel; the class
    channels of all leaves are resized to the finest feature, concatenated
    in label order and fused by the semantic aggregation module (three
    deformable convs) into the final map ``p = softmax(A([l_0, ..]))``.

    :meth:`forward` (hence ``predict``) returns probabilities that sum to 1
    over classes; the losses are NLL on the log-probabilities of the final
    map (``loss_decode``), of every router (``loss_router``) and of every
    leaf (``loss_leaf``), targets derived from the label map by the tree.

    Args:
        tree (Sequence): Nested groups of class ids (see
            :class:`SemanticTree`), e.g. LIP's
            ``[[0], [[1, 2, 4, 13], [[5, 6, 7, 11], [3, 14, 15]], ...]]``.
        transform_channels (Sequence[int]): Output channels of the child
            transforms of routers at depth 0, 1, 2, ... Defaults to
            (512, 256, 128).
        leaf_channels (Sequence[int]): Hidden channels of leaves at depth
            1, 2, 3, ... Defaults to (256, 128, 64).
        fusion_channels (Sequence[int]): Hidden channels of the semantic
            aggregation module. Defaults to (512, 256).
        pool_scales (Sequence[int]): Bins of the child transforms.
            Defaults to (1, 2, 3).
        router_ratio (float): Hidden channels of a router as a fraction of
            its input. Defaults to 0.5.
        se_ratio (int): Squeeze-excitation reduction. Defaults to 16.
        leaf_dropout (float): Dropout of routers and leaves. Defaults to 0.1.
        fusion_dropout (float): Dropout of the aggregation module.
            Defaults to 0.5.
        dcn_cfg (dict): Conv of leaves and aggregation module. Defaults to
            ``dict(type='DCNv2', deform_groups=2)``; ``'DCNv2'`` builds
            :class:`SampledModulatedDeformConv2dPack` (mmcv's
            ``ModulatedDeformConv2dPack`` with a faster CPU path, same
            outputs and state dict).
        loss_router (dict): Loss of each router. Defaults to
            ``InverseFrequencyNLLLoss`` with weight 1.0.
        loss_leaf (dict): Loss of each leaf. Defaults to
            ``InverseFrequencyNLLLoss`` with weight 1.5.
        **kwargs: :class:`BaseDecodeHead` arguments. ``in_channels`` lists
            the backbone levels from fine to coarse (C2..C5), ``channels``
            is the width of ``f_root`` and ``loss_decode`` the loss of the
            final map (an ``InverseFrequencyNLLLoss`` with weight 3.0 by
            default).
    """

    def __init__(self,
                 tree: TreeSpec,
                 transform_channels: Sequence[int] = (512, 256, 128),
                 leaf_channels: Sequence[int] = (256, 128, 64),
                 fusion_channels: Sequence[int] = (512, 256),
                 pool_scales: Sequence[int] = (1, 2, 3),
                 router_ratio: float = 0.5,
                 se_ratio: int = 16,
                 leaf_dropout: float = 0.1,
                 fusion_dropout: float = 0.5,
                 dcn_cfg: ConfigType = dict(type='DCNv2', deform_groups=2),
                 loss_router: ConfigType = dict(
                     type='InverseFrequencyNLLLoss',
                     loss_weight=1.0,
                     loss_name='loss_router'),
                 loss_leaf: ConfigType = dict(
                     type='InverseFrequencyNLLLoss',
                     loss_weight=1.5,
                     loss_name='loss_leaf'),
                 loss_decode: ConfigType = dict(
                     type='InverseFrequencyNLLLoss',
                     loss_weight=3.0,
                     loss_name='loss_final'),
                 input_transform: str = 'multiple_select',
                 init_cfg: OptConfigType = None,
                 **kwargs) -> None:
        ignore_index = kwargs.get('ignore_index', 255)
        loss_router, loss_leaf, loss_decode = (
            _with_ignore_index(cfg, ignore_index, field)
            for cfg, field in ((loss_router, 'loss_router'),
                               (loss_leaf, 'loss_leaf'), (loss_decode,
                                                          'loss_decode')))
        super().__init__(
            input_transform=input_transform,
            loss_decode=loss_decode,
            init_cfg=init_cfg,
            **kwargs)
        if not isinstance(loss_decode, dict):
            raise TypeError('SemanticNeuralTreeHead: loss_decode must be one '
                            f'loss dict, got {type(loss_decode).__name__}')
        # The final map comes from the aggregation module, not conv_seg.
        del self.conv_seg, self.dropout
        self.tree = SemanticTree(tree, self.num_classes, self.ignore_index)
        self._check_levels(transform_channels, leaf_channels)
        self.transform_channels = tuple(transform_channels)
        self.pool_scales = tuple(pool_scales)
        self.loss_router = MODELS.build(loss_router)
        self.loss_leaf = MODELS.build(loss_leaf)
        self.top = ConvModule(
            self.in_channels[-1], self.channels, 1, act_cfg=None)
        self.transforms = nn.ModuleDict()
        self.laterals = nn.ModuleDict()
        self.routers = nn.ModuleList()
        self.leaves = nn.ModuleList()
        self._build_node(self.tree.root, self.channels, router_ratio,
                         se_ratio, leaf_dropout, leaf_channels, dcn_cfg)
        self.aggregation = self._build_aggregation(
            fusion_channels, se_ratio, fusion_dropout, dcn_cfg)
        self._class_index = self.tree.class_channels()

    def _check_levels(self, transform_channels: Sequence[int],
                      leaf_channels: Sequence[int]) -> None:
        depth = self.tree.depth
        if not isinstance(self.in_channels, (list, tuple)) or len(
                self.in_channels) < depth + 1:
            raise ValueError(
                f'SemanticNeuralTreeHead: a tree of depth {depth} needs '
                f'{depth + 1} backbone levels in in_channels (fine to '
                f'coarse), got {self.in_channels}')
        if len(transform_channels) < depth or len(leaf_channels) < depth:
            raise ValueError(
                f'SemanticNeuralTreeHead: a tree of depth {depth} needs '
                f'{depth} transform_channels and leaf_channels, got '
                f'{tuple(transform_channels)} and {tuple(leaf_channels)}')

    def _build_node(self, node: TreeNode, in_channels: int,
                    router_ratio: float, se_ratio: int, dropout: float,
                    leaf_channels: Sequence[int], dcn_cfg: ConfigType) -> None:
        out_channels = self.tree.num_channels(node)
        if node.is_leaf:
            hidden = leaf_channels[node.depth - 1]
            conv = self._dcn(dcn_cfg, in_channels, hidden, node.path)
            self.leaves.append(
                nn.Sequential(
                    _ConvSEBlock(conv, hidden, se_ratio, self.norm_cfg,
                                 self.act_cfg, dropout),
                    nn.Conv2d(hidden, out_channels, 1)))
            return
        hidden = max(1, int(in_channels * router_ratio))
        self.routers.append(
            nn.Sequential(
                _ConvSEBlock(
                    nn.Conv2d(in_channels, hidden, 1), hidden, se_ratio,
                    self.norm_cfg, self.act_cfg, dropout),
                nn.Conv2d(hidden, out_channels, 1)))
        child_channels = self.transform_channels[node.depth] + out_channels
        level = self._level(node.depth + 1)
        key = f'{node.depth + 1}_{child_channels}'
        if key not in self.laterals:
            self.laterals[key] = nn.Conv2d(self.in_channels[level],
                                           child_channels, 1)
        for child in node.children:
            self.transforms[self._key(child)] = _ChildTransform(
                in_channels, self.transform_channels[node.depth],
                self.pool_scales, self.norm_cfg, self.act_cfg,
                self.align_corners)
            self._build_node(child, child_channels, router_ratio, se_ratio,
                             dropout, leaf_channels, dcn_cfg)

    def _build_aggregation(self, channels: Sequence[int], se_ratio: int,
                           dropout: float, dcn_cfg: ConfigType) -> nn.Module:
        widths = [self.num_classes, *channels]
        blocks = [
            _ConvSEBlock(
                self._dcn(dcn_cfg, c_in, c_out, 'aggregation'), c_out,
                se_ratio, self.norm_cfg, self.act_cfg, dropout)
            for c_in, c_out in zip(widths[:-1], widths[1:])
        ]
        last = self._dcn(dcn_cfg, widths[-1], self.num_classes,
                         'aggregation')
        return nn.Sequential(*blocks, last)

    @staticmethod
    def _dcn(cfg: ConfigType, in_channels: int, out_channels: int,
             where: str) -> nn.Module:
        """A 3x3 conv from ``cfg`` (``'DCNv2'``: the sampled DCNv2, fast on
        the CPU); ``deform_groups`` must divide the input channels (mmcv's
        kernels read out of bounds otherwise), so it is lowered to the
        largest divisor and the change is logged."""
        cfg = dict(cfg)
        groups = cfg.get('deform_groups')
        if groups and in_channels % groups:
            fitted = max(g for g in range(1, groups + 1)
                         if in_channels % g == 0)
            print_log(
                f'SemanticNeuralTreeHead {where}: deform_groups={groups} '
                f'does not divide {in_channels} input channels; using '
                f'{fitted}', logger='current', level=logging.WARNING)
            cfg['deform_groups'] = fitted
        if cfg.get('type') == 'DCNv2':
            cfg.pop('type')
            return SampledModulatedDeformConv2dPack(
                in_channels, out_channels, 3, padding=1, **cfg)
        return build_conv_layer(cfg, in_channels, out_channels, 3, padding=1)

    def _level(self, depth: int) -> int:
        """Backbone level feeding the laterals at a depth (C4 for depth 1)."""
        return len(self.in_channels) - 1 - depth

    @staticmethod
    def _key(node: TreeNode) -> str:
        return node.path.replace('[', '_').replace(']', '')

    def forward_tree(self, inputs: Sequence[Tensor]) -> Dict[str, object]:
        """Run the tree.

        Args:
            inputs (Sequence[Tensor]): Backbone features.

        Returns:
            dict: ``seg`` final logits at the finest input level, ``routers``
            and ``leaves`` lists of logits, in :class:`SemanticTree` order.
        """
        feats = self._transform_inputs(inputs)
        outputs = dict(routers=[], leaves=[])
        self._visit(self.tree.root, self.top(feats[-1]), feats, outputs)
        size = feats[0].shape[2:]
        class_logits = []
        for leaf, logits in zip(self.tree.leaves, outputs['leaves']):
            start = int(self.tree.has_other(leaf))
            class_logits.append(
                resize(logits[:, start:], size, mode='bilinear',
                       align_corners=self.align_corners))
        merged = torch.cat(class_logits, dim=1)[:, self._class_index]
        outputs['seg'] = self.aggregation(merged)
        return outputs

    def _visit(self, node: TreeNode, feat: Tensor, feats: List[Tensor],
               outputs: dict) -> None:
        if node.is_leaf:
            outputs['leaves'].append(self.leaves[len(outputs['leaves'])](feat))
            return
        logits = self.routers[len(outputs['routers'])](feat)
        outputs['routers'].append(logits)
        routing = F.softmax(logits, dim=1)
        offset = int(self.tree.has_other(node))
        lateral_feat = feats[self._level(node.depth + 1)]
        for j, child in enumerate(node.children):
            routed = feat * routing[:, j + offset:j + offset + 1]
            child_feat = torch.cat(
                [self.transforms[self._key(child)](routed), logits], dim=1)
            lateral = self.laterals[
                f'{node.depth + 1}_{child_feat.shape[1]}'](lateral_feat)
            child_feat = resize(
                child_feat,
                lateral.shape[2:],
                mode='bilinear',
                align_corners=self.align_corners) + lateral
            self._visit(child, child_feat, feats, outputs)

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        """Class probabilities ``(N, num_classes, H/4, W/4)``, summing to 1
        over classes (mmseg's ``predict`` resizes and takes the argmax)."""
        return F.softmax(self.forward_tree(inputs)['seg'], dim=1)

    def loss(self, inputs: Tuple[Tensor], batch_data_samples: SampleList,
             train_cfg: ConfigType) -> dict:
        """Forward the tree and compute the final, router and leaf losses."""
        return self.loss_by_feat(self.forward_tree(inputs), batch_data_samples)

    def loss_by_feat(self, outputs: dict,
                     batch_data_samples: SampleList) -> dict:
        """Compute the losses of the tree outputs.

        Args:
            outputs (dict): Output of :meth:`forward_tree`.
            batch_data_samples (list[SegDataSample]): With ``gt_sem_seg``.

        Returns:
            dict: ``loss_decode``'s, ``loss_router``'s and ``loss_leaf``'s
            names mapped to losses, and ``acc_seg``.
        """
        label = self._stack_batch_gt(batch_data_samples).squeeze(1).long()
        self.tree.check_labels(label)
        final = self._log_probs(outputs['seg'], label)
        losses = {self.loss_decode.loss_name: self.loss_decode(final, label)}
        for name, loss, nodes, logits in (
            (self.loss_router.loss_name, self.loss_router,
             self.tree.routers, outputs['routers']),
            (self.loss_leaf.loss_name, self.loss_leaf, self.tree.leaves,
             outputs['leaves'])):
            terms = [
                loss(self._log_probs(x, label),
                     self.tree.target_map(node, label))
                for node, x in zip(nodes, logits)
            ]
            losses[name] = losses.get(name, 0) + sum(terms)
        losses['acc_seg'] = accuracy(
            final, label, ignore_index=self.ignore_index)
        return losses

    def _log_probs(self, logits: Tensor, label: Tensor) -> Tensor:
        logits = resize(
            logits,
            label.shape[1:],
            mode='bilinear',
            align_corners=self.align_corners)
        return F.log_softmax(logits, dim=1)
