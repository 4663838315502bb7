# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The ``.bin`` verification sets (LFW, CFP-FP, AgeDB-30, ...)."""
import pickle
from typing import List, Tuple

from mmengine.fileio import get
from mmpretrain.registry import DATASETS

from .face_pair_dataset import FacePairDataset


@DATASETS.register_module()
class FaceBinPairDataset(FacePairDataset):
    """Verification pairs in the widely used ``.bin`` format: a pickle of
    ``(images, issame)``, ``images`` a list of :math:`2P` encoded images
    (JPEG/PNG bytes) and ``issame`` a list of :math:`P` booleans, pair
    :math:`k` being images :math:`2k, 2k+1` (the format of the LFW, CFP-FP,
    AgeDB-30, CALFW and CPLFW sets used by `CurricularFace
    <https://arxiv.org/abs/2004.00288>`_).

    Args:
        ann_file (str): Path of the ``.bin`` file.
        pipeline (list): Transforms after decoding (resize, normalise,
            ``PackInputs``). Defaults to ().
        **kwargs: Other ``BaseDataset`` arguments (``data_root``, ...).
    """

    def __init__(self, ann_file: str, pipeline: list = (), **kwargs) -> None:
        kwargs.setdefault('test_mode', True)
        super().__init__(ann_file=ann_file, pipeline=pipeline, **kwargs)

    def load_pairs(self) -> Tuple[List[dict], List[bool]]:
        """Unpickle ``(images, issame)`` from :attr:`ann_file`."""
        try:
            content = pickle.loads(get(self.ann_file), encoding='bytes')
            images, issame = content
        except (pickle.UnpicklingError, TypeError, ValueError, EOFError) as e:
            raise ValueError(
                f'FaceBinPairDataset: {self.ann_file} is not a pickle of '
                f'(encoded images, issame): {e}') from e
        issame = self.check_issame(issame, self.ann_file)
        infos = []
        for i, img in enumerate(images):
            if not isinstance(img, (bytes, bytearray)):
                img = bytes(getattr(img, 'tobytes', lambda: img)())
            infos.append(dict(img_bytes=bytes(img), pair_index=i // 2))
        return infos, issame
