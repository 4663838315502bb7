# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ARFlow: unsupervised flow learning with augmentation as a regularizer."""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from torch import Tensor

from ..flow_data_sample import FlowDataSample


def resize_flow(flow: Tensor, size: Sequence[int]) -> Tensor:
    """Resize (B, 2, h, w) flow to ``size`` (H, W) and rescale ``(u, v)`` by
    ``(W / w, H / h)`` (bilinear, half-pixel centres as ``cv2.resize``)."""
    height, width = flow.shape[-2:]
    if (height, width) == tuple(size):
        return flow
    out = F.interpolate(flow, size, mode='bilinear', align_corners=False)
    scale = flow.new_tensor([size[1] / width, size[0] / height])
    return out * scale.view(1, 2, 1, 1)


@MODELS.register_module()
class ARFlow(BaseModel):
    """Unsupervised optical flow with the AR (augmentation as regularizer)
    pass.

    `Learning by Analogy: Reliable Supervision from Transformations for
    Unsupervised Optical Flow Estimation <https://arxiv.org/abs/2003.13045>`_
    (Eq. 6, official ``trainer/*_ar.py``). The first pass estimates
    bidirectional flows ``F, F_b`` and the unsupervised loss ``L_u``
    (:class:`UnFlowLoss`). With ``ar_transform`` the appearance-augmented
    frames ``I^ph``, the detached finest flow and the non-occlusion mask
    ``O`` are transformed jointly (``T``), the network is run on
    ``T(I^ph)``, and

    .. math::
        L = L_u + w_{ar} \\frac{\\overline{T(O) (|\\hat F_T - T(F)| +
        \\epsilon)^q}}{\\overline{T(O)} + 10^{-7}}.

    ``with_ar=True`` and ``ar_transform=None`` run the second pass without a
    spatial transform (official ``run_st: false``).

    Args:
        flow_net (dict): The flow network (``PWCLite``).
        loss (dict): The unsupervised loss (``UnFlowLoss``).
        with_ar (bool): Run the AR pass. Defaults to False.
        ar_transform (dict, optional): Spatial transform
            (``RandomAffineFlow``). Defaults to None.
        w_ar (float): AR weight (0.01 Sintel, 0.02 KITTI). Defaults to 0.01.
        ar_eps (float): ``epsilon``. Defaults to 0.
        ar_q (float): ``q``. Defaults to 1.
        ar_mask (bool): Weight the AR loss by ``T(O)`` (official
            ``mask_st``). Defaults to True.
        data_preprocessor (dict, optional): Defaults to
            ``FlowDataPreprocessor``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 flow_net: dict,
                 loss: dict,
                 with_ar: bool = False,
                 ar_transform: Optional[dict] = None,
                 w_ar: float = 0.01,
                 ar_eps: float = 0.0,
                 ar_q: float = 1.0,
                 ar_mask: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='FlowDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.flow_net = MODELS.build(flow_net)
        self.loss_func = MODELS.build(loss)
        self.with_ar = with_ar
        self.ar_transform = MODELS.build(ar_transform) \
            if ar_transform is not None else None
        self.w_ar = w_ar
        self.ar_eps = ar_eps
        self.ar_q = ar_q
        self.ar_mask = ar_mask

    def forward(self,
                inputs: Dict[str, Tensor],
                data_samples: Optional[List[FlowDataSample]] = None,
                mode: str = 'tensor') -> Union[Dict, List, Tensor]:
        """``loss``: the loss dict; ``predict``: samples with
        ``pred_flow_fw``; ``tensor``: the finest forward flow."""
        if mode == 'loss':
            return self.loss(inputs)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.flow_net(inputs['imgs'])['flows_fw'][0]
        raise RuntimeError(f'ARFlow: invalid mode "{mode}"')

    def loss(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """The unsupervised loss (+ the AR loss) of a batch."""
        imgs = inputs['imgs']
        if imgs.shape[1] != 6:
            raise ValueError('ARFlow.loss trains on frame pairs (6 channels), '
                             f'got {imgs.shape[1]}')
        out = self.flow_net(imgs, with_bk=True)
        img1, img2 = imgs[:, :3], imgs[:, 3:]
        losses, noc = self.loss_func(out['flows_fw'], out['flows_bw'], img1,
                                     img2)
        losses['flow_mean'] = out['flows_fw'][0].detach().abs().mean()
        losses['stage'] = self.loss_func.stage.detach().float()
        # A collapse to 'everything occluded' zeroes the photometric term
        # (0 / 0 in the official code); the logged ratio makes it visible.
        losses['noc_ratio'] = noc.detach().mean()
        if self.with_ar:
            imgs_ph = inputs.get('imgs_ph', imgs)
            losses['loss_ar'] = self.w_ar * self.ar_loss(
                imgs_ph, out['flows_fw'][0].detach(), noc)
        return losses

    def ar_loss(self, imgs_ph: Tensor, flow: Tensor, noc: Tensor) -> Tensor:
        """The second pass on transformed frames against ``T(F)``."""
        frames = [imgs_ph[:, :3], imgs_ph[:, 3:]]
        if self.ar_transform is not None:
            frames, flow, noc = self.ar_transform(frames, flow, noc)
        pred = self.flow_net(torch.cat(frames, dim=1))['flows_fw'][0]
        if not self.ar_mask:
            noc = torch.ones_like(noc)
        dist = ((pred - flow).abs() + self.ar_eps)**self.ar_q
        return (dist * noc).mean() / (noc.mean() + 1e-7)

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[List[FlowDataSample]] = None
                ) -> List[FlowDataSample]:
        """Forward flows, resized to each sample's ``ori_shape``."""
        flows = self.flow_net(inputs['imgs'])['flows_fw'][0]
        if data_samples is None:
            data_samples = [FlowDataSample() for _ in range(len(flows))]
        for flow, sample in zip(flows, data_samples):
            size = sample.metainfo.get('ori_shape', flow.shape[-2:])
            flow = resize_flow(flow[None], size[:2])[0]
            sample.pred_flow_fw = PixelData(data=flow)
        return data_samples
