# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Convert the released MANet (or AdaIN) weights into one checkpoint that
``MANetStyleTransfer`` (``AdaINStyleTransfer``) loads strictly.

The official files are plain state dicts: ``vgg_normalised.pth`` (the
53-layer ``nn.Sequential``), ``decoder_iter_160000.pth`` and
``ma_module_iter_160000.pth`` (MANet) or ``decoder.pth`` (AdaIN)::

    python tools/model_converters/manet_to_mm.py \\
        checkpoints/manet/manet_official_mm.pth \\
        --vgg model/vgg_normalised.pth \\
        --decoder model/decoder_iter_160000.pth \\
        --ma-module model/ma_module_iter_160000.pth
    # the encoder alone, for the training configs' init_cfg:
    python tools/model_converters/manet_to_mm.py \\
        checkpoints/manet/vgg_normalised_mm.pth --vgg model/vgg_normalised.pth
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import torch  # noqa: E402

from projects.manet.official_weights import \
    convert_official_state_dicts  # noqa: E402


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out', help='converted checkpoint to write')
    parser.add_argument('--vgg', help='vgg_normalised.pth')
    parser.add_argument('--decoder', help='decoder_iter_160000.pth')
    parser.add_argument('--ma-module', help='ma_module_iter_160000.pth')
    args = parser.parse_args(argv)
    if not (args.vgg or args.decoder or args.ma_module):
        parser.error('give at least one of --vgg, --decoder, --ma-module')
    return args


def _load(path: str) -> dict:
    if not osp.isfile(path):
        raise FileNotFoundError(f'official weights {path} not found')
    state = torch.load(path, map_location='cpu', weights_only=True)
    if not isinstance(state, dict):
        raise TypeError(f'{path} is not a state dict')
    return state


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    sources = dict(
        vgg=args.vgg, decoder=args.decoder, ma_module=args.ma_module)
    sources = {k: v for k, v in sources.items() if v}
    state_dict, dropped = convert_official_state_dicts(
        **{name: _load(path) for name, path in sources.items()})
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(
        dict(
            state_dict=state_dict,
            meta=dict(converted_from=sources, dropped_tensors=dropped)),
        args.out)
    print(f'wrote {len(state_dict)} tensors to {args.out} '
          f'(dropped: {dropped})')
    return state_dict


if __name__ == '__main__':
    main()
