# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""CurricularFace: the adaptive-curriculum margin head."""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.runner import autocast
from mmpretrain.models.heads import ArcFaceClsHead
from mmpretrain.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class CurricularFaceHead(ArcFaceClsHead):
    """CurricularFace head of `CurricularFace: Adaptive Curriculum Learning
    Loss for Deep Face Recognition <https://arxiv.org/abs/2004.00288>`_.

    With :math:`c_j = \\cos\\theta_j` the cosine between the L2-normalised
    embedding and class centre :math:`j`, :math:`y` the label, the target
    logit is ArcFace's

    .. math::
        T(c_y) = \\begin{cases} \\cos(\\theta_y + m) & c_y > \\cos(\\pi - m)
        \\\\ c_y - m \\sin(\\pi - m) & \\text{otherwise} \\end{cases}

    and every other logit is modulated by the curriculum term :math:`t`:

    .. math::
        N(t, c_j) = \\begin{cases} c_j & c_j \\le \\cos(\\theta_y + m) \\\\
        c_j (t + c_j) & \\text{otherwise (hard negative)} \\end{cases}

    where the comparison uses the un-thresholded :math:`\\cos(\\theta_y+m)`
    as in the official ``head/metrics.py``. Before the logits of a training
    batch are formed, :math:`t \\leftarrow \\alpha \\, \\overline{c_y} +
    (1 - \\alpha) t` (no gradient), :math:`t` starting at 0. The head returns
    :math:`s \\cdot` logits; the loss is the softmax cross-entropy of the
    ``loss`` config. :math:`t` is the persistent buffer ``t``, so it is saved
    in checkpoints and restored on resume.

    The official code keeps one :math:`t` per rank; ``sync_t=True`` averages
    the batch mean of :math:`c_y` across ranks instead (our option).
    ``cos(theta_y + m)`` is computed as :math:`c_y \\cos m - \\sqrt{1 - c_y^2}
    \\sin m` like the official code, with :math:`1 - c_y^2` clamped at
    ``1e-12`` so the gradient stays finite at :math:`|c_y| = 1`.

    Args:
        num_classes (int): Number of identities.
        in_channels (int): Embedding dimension.
        num_subcenters (int): Sub-centres per class (inherited from
            ``ArcFaceClsHead``). Defaults to 1.
        scale (float): :math:`s`. Defaults to 64.0.
        margins (float | Sequence[float] | str): :math:`m`, one value or one
            per class (see ``ArcFaceClsHead``). Defaults to 0.5.
        momentum (float): :math:`\\alpha` of the update of :math:`t`.
            Defaults to 0.01 (official code).
        sync_t (bool): Average :math:`\\overline{c_y}` over ranks before
            updating :math:`t`. Defaults to False (official behaviour).
        loss (dict): Classification loss config. Defaults to
            ``dict(type='CrossEntropyLoss', loss_weight=1.0)``.
        init_cfg (dict, optional): Initialisation config. Defaults to
            ``dict(type='Normal', layer='Linear', std=0.01)`` (official).
    """

    def __init__(
        self,
        num_classes: int,
        in_channels: int,
        num_subcenters: int = 1,
        scale: float = 64.,
        margins: Union[float, Sequence[float], str] = 0.5,
        momentum: float = 0.01,
        sync_t: bool = False,
        loss: dict = dict(type='CrossEntropyLoss', loss_weight=1.0),
        init_cfg: Optional[dict] = dict(
            type='Normal', layer='Linear', std=0.01)
    ) -> None:
        if not 0.0 <= momentum <= 1.0:
            raise ValueError('CurricularFaceHead: `momentum` (alpha) must be '
                             f'in [0, 1], got {momentum}')
        if isinstance(margins, int):
            margins = float(margins)
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            num_subcenters=num_subcenters,
            scale=scale,
            margins=margins,
            easy_margin=False,
            loss=loss,
            init_cfg=init_cfg)
        self.momentum = momentum
        self.sync_t = sync_t
        self.register_buffer('t', torch.zeros(1), persistent=True)

    def _check_target(self, target: Tensor, batch_size: int) -> Tensor:
        """Flatten ``target`` to shape (N,) and check its labels."""
        if target.dim() == 2 and target.shape[1] == 1:
            target = target[:, 0]
        if target.dim() != 1 or target.numel() != batch_size:
            raise ValueError(
                'CurricularFaceHead: `target` must hold one class index per '
                f'sample ({batch_size}), got shape {tuple(target.shape)}')
        if target.dtype.is_floating_point:
            target = self._integral_float_target(target)
        if target.numel() and (target.min() < 0
                               or target.max() >= self.num_classes):
            raise ValueError(
                'CurricularFaceHead: label out of range: `target` holds '
                f'{int(target.min())}..{int(target.max())} but num_classes='
                f'{self.num_classes} (check gt_label / the dataset classes)')
        return target.long()

    @staticmethod
    def _integral_float_target(target: Tensor) -> Tensor:
        """Float class indices (as ``ArcFaceClsHead`` accepts) as long;
        a non-integral value is an error, not a silent truncation."""
        fractional = target != target.round()
        if bool(fractional.any()):
            bad = target[fractional][:4].tolist()
            raise TypeError(
                'CurricularFaceHead: `target` must hold integer class '
                f'indices; the {target.dtype} target has non-integral '
                f'values {bad} (check gt_label; soft or mixed labels are '
                'not supported)')
        return target.long()

    @torch.no_grad()
    def _update_t(self, cos_target: Tensor) -> None:
        """:math:`t \\leftarrow \\alpha \\overline{c_y} + (1-\\alpha) t`."""
        mean_cos = cos_target.mean().to(self.t.dtype).reshape(1)
        if self.sync_t and get_world_size() > 1:
            all_reduce(mean_cos, op='mean')
        self.t.mul_(1.0 - self.momentum).add_(self.momentum * mean_cos)

    def _target_logit(self, cos_target: Tensor,
                      margin: Tensor) -> Tuple[Tensor, Tensor]:
        """Return ArcFace's thresholded target logit and raw cos(θ_y+m)."""
        sin_target = torch.sqrt((1.0 - cos_target.pow(2)).clamp_min(1e-12))
        cos_theta_m = cos_target * torch.cos(margin) - \
            sin_target * torch.sin(margin)
        threshold = torch.cos(math.pi - margin)
        fallback = cos_target - torch.sin(math.pi - margin) * margin
        final = torch.where(cos_target > threshold, cos_theta_m, fallback)
        return final, cos_theta_m

    def modulate(self, cosine: Tensor, cos_target: Tensor,
                 margin: Tensor) -> Tuple[Tensor, Tensor]:
        """Update :math:`t` (training) and modulate the hard negatives.

        Args:
            cosine (Tensor): :math:`c_j`, shape (N, C) (C may be a shard).
            cos_target (Tensor): :math:`c_y`, shape (N, 1).
            margin (Tensor): :math:`m` of each sample's class, (N, 1).

        Returns:
            tuple[Tensor, Tensor]: :math:`N(t, c_j)` for every column,
            shape (N, C), and the target logit :math:`T(c_y)`, (N, 1),
            which the caller writes into the target columns.
        """
        final_target, cos_theta_m = self._target_logit(cos_target, margin)
        if self.training and cosine.shape[0] > 0:
            self._update_t(cos_target)
        t = self.t.to(cosine.dtype)
        hard = cosine > cos_theta_m
        return torch.where(hard, cosine * (t + cosine), cosine), final_target

    def margin_logits(self, cosine: Tensor, target: Tensor) -> Tensor:
        """Apply the CurricularFace margin to a cosine matrix (unscaled).

        Args:
            cosine (Tensor): :math:`c_j`, shape (N, C), in [-1, 1].
            target (Tensor): Labels, shape (N,), already checked.

        Returns:
            Tensor: The unscaled logits :math:`T` / :math:`N`, shape (N, C).
        """
        cos_target = cosine.gather(1, target[:, None])
        margin = self.margins[target][:, None].to(cosine.dtype)
        logits, final_target = self.modulate(cosine, cos_target, margin)
        return logits.scatter(1, target[:, None], final_target)

    def _get_logit_with_margin(self, pre_logits: Tensor,
                               target: Tensor) -> Tensor:
        """Cosines to the class centres, with the CurricularFace margin."""
        target = self._check_target(target, pre_logits.shape[0])
        cosine = self.norm_product(pre_logits).clamp(-1.0, 1.0)
        return self.margin_logits(cosine, target)

    def forward(self,
                feats: Tuple[Tensor],
                target: Optional[Tensor] = None) -> Tensor:
        """Scaled logits; with ``target`` the margin ones (training).

        Args:
            feats (tuple[Tensor]): Backbone/neck outputs; the last one, of
                shape (N, in_channels), is the embedding.
            target (Tensor, optional): Class indices, shape (N,) or (N, 1);
                integer, or float with integral values as
                ``ArcFaceClsHead`` accepts. Defaults to None.

        Returns:
            Tensor: :math:`s \\cdot` logits, shape (N, num_classes).
        """
        embedding = self.pre_logits(feats)
        if embedding.dim() != 2 or embedding.shape[1] != self.in_channels:
            raise ValueError(
                'CurricularFaceHead: expected embeddings of shape (N, '
                f'{self.in_channels}) (in_channels), got '
                f'{tuple(embedding.shape)}')
        with autocast(enabled=False):
            embedding = embedding.float() if embedding.dtype in (
                torch.float16, torch.bfloat16) else embedding
            if target is None:
                logit = self.norm_product(embedding).clamp(-1.0, 1.0)
            else:
                logit = self._get_logit_with_margin(embedding, target)
        return self.scale * logit
