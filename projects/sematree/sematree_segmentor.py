# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""EncoderDecoder whose predictions go back through the input warp."""
from typing import List

import torch
from mmengine.structures import PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import OptSampleList, SampleList
from torch import Tensor

from .person_affine import inverse_warp_labels


@MODELS.register_module()
class SemaTreeSegmentor(EncoderDecoder):
    """``EncoderDecoder`` evaluated as the official code of `Learning
    Semantic Neural Tree for Human Parsing
    <https://arxiv.org/abs/1912.09622>`_ (``evaluate.py`` and
    ``utils/miou.py``).

    For a sample whose test pipeline warped the image into the crop
    (:class:`PersonCenterAffine` with ``test_mode=True``, which stores
    ``warp_matrix``), the prediction is the argmax of the crop-sized output
    (bilinear with ``align_corners`` as the head), mapped back to the
    original image by the inverse warp with nearest neighbours; pixels
    outside the crop are background (0). ``seg_logits`` stays in the crop.
    Samples without ``warp_matrix`` are post-processed as by
    ``EncoderDecoder``.

    Args:
        **kwargs: ``EncoderDecoder`` arguments.
    """

    def postprocess_result(self,
                           seg_logits: Tensor,
                           data_samples: OptSampleList = None) -> SampleList:
        """Predictions in the original image (see the class doc)."""
        if data_samples is None or not any(
                'warp_matrix' in s.metainfo for s in data_samples):
            return super().postprocess_result(seg_logits, data_samples)
        out: List = []
        for i, sample in enumerate(data_samples):
            if 'warp_matrix' not in sample.metainfo:
                out += super().postprocess_result(seg_logits[i:i + 1],
                                                  [sample])
                continue
            out.append(self._unwarp(seg_logits[i:i + 1], sample))
        return out

    def _unwarp(self, logits: Tensor, sample):
        """Argmax in the crop, inverse warp to ``ori_shape``."""
        meta = sample.metainfo
        logits = resize(logits, size=meta['img_shape'], mode='bilinear',
                        align_corners=self.align_corners,
                        warning=False)[0]
        labels = logits.argmax(dim=0).cpu().numpy().astype('uint16')
        pred = inverse_warp_labels(labels, meta['warp_matrix'],
                                   meta['ori_shape'])
        sample.set_data({
            'seg_logits': PixelData(data=logits),
            'pred_sem_seg': PixelData(data=torch.as_tensor(
                pred, dtype=torch.long, device=logits.device)[None])
        })
        return sample
