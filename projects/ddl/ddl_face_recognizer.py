# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The DDL training model: shared backbone, a margin head per branch."""
import copy
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.logging import print_log
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor

from projects.facerec import FaceRecognizer
from projects.facerec.models.class_sharded import (gather_batch,
                                                   gather_for_replicated_loss)
from .ddl_face_dataset import (EASY_CLS, EASY_PAIR, HARD_CLS, HARD_PAIR,
                               STREAM_NAMES)

# All-gather of the DDL embeddings for each ``ddl_gradient``: the official
# backward sums the gradient over ranks and scales by W (as the sharded
# classifier's gather does); the exact one keeps the own rows times W.
DDL_GRADIENTS = {
    'official': gather_batch,
    'exact': gather_for_replicated_loss
}


@MODELS.register_module()
class DDLFaceRecognizer(FaceRecognizer):
    r"""Face recognizer trained with `Distribution Distillation Loss
    <https://arxiv.org/abs/2002.03662>`_.

    One backbone embeds the four streams of an iteration (see
    ``DDLFourStreamSampler``); the easy and the hard classification batches
    each go through their own margin head (``head``, CurricularFace by
    default, and ``hard_head``), and DDL distils the easy similarity
    distributions into the hard ones:

    .. math::

        L = L_{cls}(\text{easy}) + L_{cls}(\text{hard})
          + L_{DDL}(\{F_{easy}, F_{hard}\}, \{P^a_{easy}, P^a_{hard}\},
                    \{P^b_{easy}, P^b_{hard}\}).

    ``head`` keeps its name so ``load_from`` a ``FaceRecognizer`` checkpoint
    fills the backbone and the easy head; prediction is the embedding, as
    ``FaceRecognizer``.

    Args:
        ddl_loss (dict): The ``DistributionDistillationLoss`` config.
            Defaults to ``dict(type='DistributionDistillationLoss')``.
        hard_head (dict, optional): Head of the hard branch; a copy of the
            ``head`` config when None. Defaults to None.
        hard_head_from_head (bool): When a loaded state dict has ``head.*``
            but no ``hard_head.*`` (``load_from`` a face model), start the
            hard head from the easy head's weights (logged). Defaults to
            True.
        gather_ddl_inputs (bool): With several processes, all-gather the
            DDL embeddings so that the similarity distributions cover the
            global batch, as the official code. Defaults to False (each
            rank's own batch).
        ddl_gradient (str): Backward of that all-gather, with :math:`W`
            processes. ``'official'``: as TFace's ``AllGatherFunc``, each
            rank's embedding gradient is summed over the :math:`W` ranks
            (which all computed the same global loss) and multiplied by
            :math:`W`, so after DDP's averaging the backbone receives
            :math:`W \nabla L_{DDL}`: the DDL term acts :math:`W` times as
            strongly as its nominal weights. ``'exact'``: own rows times
            :math:`W`, so the backbone receives :math:`\nabla L_{DDL}` of
            the global batch, as one process on the whole batch. Both are
            the same on one process. Defaults to 'official'.
        **kwargs: ``FaceRecognizer`` arguments (backbone, head, ...).
    """

    def __init__(self,
                 ddl_loss: Optional[dict] = None,
                 hard_head: Optional[dict] = None,
                 hard_head_from_head: bool = True,
                 gather_ddl_inputs: bool = False,
                 ddl_gradient: str = 'official',
                 **kwargs) -> None:
        if ddl_gradient not in DDL_GRADIENTS:
            raise ValueError('DDLFaceRecognizer: model.ddl_gradient must be '
                             f'one of {tuple(DDL_GRADIENTS)}, got '
                             f'{ddl_gradient!r}')
        super().__init__(**kwargs)
        self.gather_ddl_inputs = gather_ddl_inputs
        self.ddl_gradient = ddl_gradient
        if hard_head is None:
            hard_head = copy.deepcopy(kwargs['head'])
        self.hard_head = MODELS.build(hard_head)
        self.ddl_loss = MODELS.build(
            ddl_loss or dict(type='DistributionDistillationLoss'))
        if hard_head_from_head:
            self._register_load_state_dict_pre_hook(_copy_head_to_hard_head)

    def loss(self, inputs: Tensor,
             data_samples: List[DataSample]) -> Dict[str, Tensor]:
        """Classification losses of both branches plus DDL.

        Args:
            inputs (Tensor): The four streams' images, (N, C, H, W).
            data_samples (list[DataSample]): Their samples, each with
                ``ddl_stream`` and ``gt_label``.

        Returns:
            dict[str, Tensor]: ``easy_loss``, ``hard_loss``, ``loss_ddl`` and
            the unweighted DDL terms (logged only).
        """
        streams = _split_streams(data_samples)
        feats = self.embed(inputs)
        losses = {}
        for name, head, stream in (('easy', self.head, EASY_CLS),
                                   ('hard', self.hard_head, HARD_CLS)):
            idx = streams[stream]
            branch = head.loss((feats[idx], ), [data_samples[i] for i in idx])
            losses.update({f'{name}_{k}': v for k, v in branch.items()})
        pairs = [
            _pair_feats(feats, data_samples, streams[s])
            for s in (EASY_PAIR, HARD_PAIR)
        ]
        terms = self.ddl_terms(
            [feats[streams[EASY_CLS]], feats[streams[HARD_CLS]]],
            [p[0] for p in pairs], [p[1] for p in pairs])
        losses['loss_ddl'] = self.ddl_loss.weighted(terms)
        losses.update({f'ddl_{k}': v.detach() for k, v in terms.items()})
        return losses

    def ddl_terms(self, neg_feats: List[Tensor], pos_feats_a: List[Tensor],
                  pos_feats_b: List[Tensor]) -> Dict[str, Tensor]:
        """The DDL terms, over the global batch with
        ``gather_ddl_inputs``."""
        if self.gather_ddl_inputs:
            gather = DDL_GRADIENTS[self.ddl_gradient]
            neg_feats, pos_feats_a, pos_feats_b = ([
                gather(f) for f in group
            ] for group in (neg_feats, pos_feats_a, pos_feats_b))
        return self.ddl_loss.loss_terms(neg_feats, pos_feats_a, pos_feats_b)


def _copy_head_to_hard_head(state_dict: dict, prefix: str, *args) -> None:
    """Fill missing ``hard_head.*`` entries from ``head.*``."""
    if any(k.startswith(prefix + 'hard_head.') for k in state_dict):
        return
    copied = 0
    for key in [k for k in state_dict if k.startswith(prefix + 'head.')]:
        new = prefix + 'hard_head.' + key[len(prefix + 'head.'):]
        state_dict[new] = state_dict[key].clone()
        copied += 1
    if copied:
        print_log(
            f'DDLFaceRecognizer: hard_head starts from the {copied} '
            'head.* entries of the loaded checkpoint',
            logger='current')


def _split_streams(data_samples: List[DataSample]) -> List[List[int]]:
    """Batch positions of each of the four streams."""
    streams: List[List[int]] = [[] for _ in STREAM_NAMES]
    for i, sample in enumerate(data_samples):
        stream = sample.metainfo.get('ddl_stream')
        if stream is None:
            raise KeyError(
                'DDLFaceRecognizer: a sample has no "ddl_stream"; use '
                'DDLFaceDataset with DDLFourStreamSampler and keep '
                '"ddl_stream" in PackInputs meta_keys')
        streams[int(stream)].append(i)
    for name, idx in zip(STREAM_NAMES, streams):
        if not idx:
            raise ValueError(f'DDLFaceRecognizer: the batch has no {name} '
                             'sample (train_dataloader.batch_size must be '
                             'the sampler\'s 2 * num_ids + 4 * num_pairs)')
    return streams


def _pair_feats(feats: Tensor, data_samples: List[DataSample],
                idx: List[int]) -> Tuple[Tensor, Tensor]:
    """First and second images of the pairs laid out ``a0, b0, a1, ...``."""
    labels = torch.stack([data_samples[i].gt_label.view(-1)[0] for i in idx])
    if len(idx) % 2 or not torch.equal(labels[0::2], labels[1::2]):
        raise ValueError(
            'DDLFaceRecognizer: a pair stream must alternate the two images '
            f'of same-identity pairs, got labels {labels.tolist()}')
    return feats[idx[0::2]], feats[idx[1::2]]
