# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Convert the released MANet / AdaIN weights to this project's keys."""
from typing import Dict, Mapping, Optional, Tuple

from mmengine.logging import print_log
from torch import Tensor

from .mirror_decoder import MirrorVGGDecoder
from .normalised_vgg import NormalisedVGG19Encoder

# official Multi_Adaptation_Module block names -> ours
_MA_BLOCKS = dict(CSA='content_sa', SSA='style_sa', CA='co_adaptation')
_MA_CONVS = ('f', 'g', 'h', 'out_conv')


def official_key_maps() -> Dict[str, Dict[str, Optional[str]]]:
    """Per official file, official key -> our model key (with the
    ``encoder.``/``decoder.``/``ma_module.`` prefix; None = dropped).

    The names do not depend on the widths, so tiny modules list them.
    """
    encoder = NormalisedVGG19Encoder(widths=(1, 1, 1, 1, 1))
    decoder = MirrorVGGDecoder(widths=(1, 1, 1, 1))
    return dict(
        vgg={
            k: None if v is None else f'encoder.{v}'
            for k, v in encoder.official_key_map().items()
        },
        decoder={
            k: f'decoder.{v}'
            for k, v in decoder.official_key_map().items()
        },
        ma_module={
            f'{block}.{conv}.{param}': f'ma_module.{ours}.{conv}.{param}'
            for block, ours in _MA_BLOCKS.items() for conv in _MA_CONVS
            for param in ('weight', 'bias')
        })


def convert_official_state_dicts(
        **state_dicts: Mapping[str, Tensor]
) -> Tuple[Dict[str, Tensor], Dict[str, int]]:
    """Rename the released state dicts for a :class:`MANetStyleTransfer`
    (``vgg``, ``decoder``, ``ma_module``) or :class:`AdaINStyleTransfer`
    (``vgg``, ``decoder``) of `Arbitrary Style Transfer via Multi-Adaptation
    Network <https://arxiv.org/abs/2005.13219>`_.

    Each given dict must hold exactly the official key set (``
    vgg_normalised.pth``: the 53-layer ``nn.Sequential``;
    ``decoder_iter_160000.pth``; ``ma_module_iter_160000.pth``), else a
    ``KeyError`` lists the missing and unexpected keys. conv5_2..conv5_4 of
    the VGG file are not part of the encoder and are dropped (counted and
    logged).

    Args:
        **state_dicts: ``vgg=``, ``decoder=``, ``ma_module=`` state dicts.

    Returns:
        tuple[dict, dict]: The converted state dict and, per file, the
        number of dropped tensors.
    """
    maps = official_key_maps()
    unknown = set(state_dicts) - set(maps)
    if unknown:
        raise KeyError(f'unknown official files {sorted(unknown)}; expected '
                       f'{sorted(maps)}')
    converted: Dict[str, Tensor] = {}
    dropped: Dict[str, int] = {}
    for name, state in state_dicts.items():
        mapping = maps[name]
        _check_keys(name, set(state), set(mapping))
        dropped[name] = 0
        for key, value in state.items():
            if mapping[key] is None:
                dropped[name] += 1
                continue
            converted[mapping[key]] = value
        if dropped[name]:
            print_log(
                f'{name}: dropped {dropped[name]} tensors (conv5_2..conv5_4, '
                'after relu5_1, never used)',
                logger='current')
    return converted, dropped


def _check_keys(name: str, got: set, expected: set) -> None:
    missing, unexpected = expected - got, got - expected
    if missing or unexpected:
        raise KeyError(
            f'{name}: not the official key set; missing '
            f'{sorted(missing)[:8]}{"..." if len(missing) > 8 else ""}, '
            f'unexpected {sorted(unexpected)[:8]}'
            f'{"..." if len(unexpected) > 8 else ""}')
