# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Convert an official ARFlow checkpoint to this project's ``ARFlow`` model.

The official ``checkpoints/<set>/pwclite_{raw,ar,ar_mv}.tar`` of
https://github.com/lliuz/ARFlow hold ``{'epoch', 'state_dict'}`` with
``PWCLite`` keys. ``PWCLite`` here keeps those names, so the conversion only
checks that the keys load strictly into ``PWCLite(n_frames)`` (2 or 3 frames,
found from the estimator's input width) and prefixes them with ``flow_net.``
for ``tools/test.py`` / ``load_from``.

Example:
    python tools/model_converters/arflow_to_mm.py \\
        checkpoints/KITTI15/pwclite_ar.tar work_dirs/pwclite_ar_kitti.pth
"""
import argparse
import os
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict

import torch

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from projects.arflow.models import PWCLite  # noqa: E402

_PROBE = 'flow_estimators.conv1.0.weight'


def convert(state: Dict[str, torch.Tensor], src: str = '<state_dict>') -> dict:
    """Check an official ``PWCLite`` state dict and return an mm checkpoint.

    Args:
        state (dict): The official ``state_dict`` (``module.`` prefixes of
            ``DataParallel`` are removed).
        src (str): Name used in error messages. Defaults to '<state_dict>'.

    Returns:
        dict: ``{'state_dict': {'flow_net.<key>': tensor}, 'meta': ...}``.
    """
    state = OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in state.items())
    if _PROBE not in state:
        raise KeyError(f'{src}: no {_PROBE}; not a PWC-Lite checkpoint')
    in_channels = state[_PROBE].shape[1]
    n_frames = {115: 2, 198: 3}.get(in_channels)
    if n_frames is None:
        raise ValueError(f'{src}: {_PROBE} has {in_channels} input channels '
                         '(115 = 2 frames, 198 = 3 frames expected)')
    model = PWCLite(n_frames=n_frames)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        raise RuntimeError(f'{src}: keys do not match PWCLite: {err}') from err
    return dict(
        state_dict=OrderedDict(
            (f'flow_net.{k}', v) for k, v in state.items()),
        meta=dict(source=src, n_frames=n_frames))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='official .tar checkpoint')
    parser.add_argument('dst', help='output .pth')
    args = parser.parse_args()
    ckpt = torch.load(args.src, map_location='cpu', weights_only=False)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if state is None:
        raise ValueError(f'{args.src}: no state_dict inside')
    out = convert(state, args.src)
    if osp.dirname(args.dst):
        os.makedirs(osp.dirname(args.dst), exist_ok=True)
    torch.save(out, args.dst)
    print(f'{args.src} -> {args.dst} ({out["meta"]["n_frames"]} frames, '
          f'{len(out["state_dict"])} tensors)')


if __name__ == '__main__':
    main()
