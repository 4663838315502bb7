# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""FaceRecognizer: an ImageClassifier whose predictions are embeddings."""
from typing import List, Optional

import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor


@MODELS.register_module()
class FaceRecognizer(ImageClassifier):
    """Face recognition model: trains like ``ImageClassifier`` (backbone,
    optional neck, margin head such as ``CurricularFaceHead``) and predicts
    the face embedding :math:`e = f(x)` used by face verification, as in
    `ArcFace <https://arxiv.org/abs/1801.07698>`_ and `CurricularFace
    <https://arxiv.org/abs/2004.00288>`_.

    ``predict`` stores ``pred_feat`` (shape (D,)) in every data sample and,
    with ``flip_test=True``, also ``pred_feat_flip``, the embedding of the
    horizontally flipped image, which ``FaceVerificationMetric`` can fuse.

    Args:
        flip_test (bool): Also embed the flipped image. Defaults to False.
        **kwargs: Arguments of ``ImageClassifier`` (backbone, neck, head,
            data_preprocessor, ...).
    """

    def __init__(self, flip_test: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.flip_test = flip_test
        # A class-sharded head keeps different rows on every rank: DDP must
        # not average their gradients (read by DistributedDataParallel).
        ignored = getattr(self.head, 'ddp_ignored_params', [])
        if ignored:
            self._ddp_params_and_buffers_to_ignore = [
                f'head.{name}' for name in ignored
            ]

    def embed(self, inputs: Tensor) -> Tensor:
        """The embedding of a batch, shape (N, D)."""
        feats = self.extract_feat(inputs)
        return feats[-1] if isinstance(feats, (tuple, list)) else feats

    def predict(self,
                inputs: Tensor,
                data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        """Embed the batch (and its flip) into the data samples.

        Args:
            inputs (Tensor): Images of shape (N, C, H, W).
            data_samples (list[DataSample], optional): Samples to fill;
                new ones are created when None. Defaults to None.

        Returns:
            list[DataSample]: Samples with ``pred_feat`` (and
            ``pred_feat_flip``).
        """
        if data_samples is None:
            data_samples = [DataSample() for _ in range(inputs.shape[0])]
        embedding = self.embed(inputs)
        flipped = self.embed(torch.flip(inputs, dims=[-1])) \
            if self.flip_test else None
        for i, sample in enumerate(data_samples):
            sample.set_field(embedding[i].detach(), 'pred_feat')
            if flipped is not None:
                sample.set_field(flipped[i].detach(), 'pred_feat_flip')
        return data_samples
