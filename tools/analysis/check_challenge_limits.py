# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Check a detector against the iCartoonFace 2020 challenge limits.

The limits ACFD (arXiv 2007.00899) was built for: model file <= 200 MB,
<= 50 ms per 1920x1080 image, no pretrained weights. For one config (and
optionally its checkpoint) this prints the parameters, the checkpoint size,
the median network latency of the train-time and the deployed model (after
``switch_to_deploy()``, which fuses the asymmetric blocks), the end-to-end
latency of the faster one (mmdet's ``test_step``: normalisation, padding,
network, box decoding and NMS; the limit is checked on it), whether any
pretrained weights are loaded, and pass/fail per limit::

    python tools/analysis/check_challenge_limits.py CONFIG [CKPT] \
        [--shape 1080 1920] [--repeats 10] [--device cpu]

The exit status is 0 when every limit passes, 1 otherwise. The latency limit
was set on a GPU; on a CPU the measured number is reported as it is, with
the device it was measured on.
"""
import argparse
import copy
import io
import os.path as osp
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

import projects  # noqa: E402,F401  applies the compatibility fixes
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmdet.structures import DetDataSample  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from projects.engine import load_config  # noqa: E402

SIZE_LIMIT_MB = 200.0
LATENCY_LIMIT_MS = 50.0


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='detector config file')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='checkpoint file (its size is checked); without '
                        'it the size of the saved fp32 weights is measured')
    parser.add_argument('--shape', type=int, nargs=2, default=[1080, 1920],
                        metavar=('H', 'W'), help='input height and width')
    parser.add_argument('--repeats', type=int, default=10,
                        help='timed forward passes (the median is reported)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed forward passes first')
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument('--size-limit-mb', type=float, default=SIZE_LIMIT_MB)
    parser.add_argument('--latency-limit-ms', type=float,
                        default=LATENCY_LIMIT_MS)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.warmup < 0:
        parser.error('--repeats must be >= 1 and --warmup >= 0')
    if min(args.shape) < 1:
        parser.error(f'--shape must be positive, got {args.shape}')
    return args


def find_pretrained(cfg: Any, path: str = 'cfg') -> List[str]:
    """Config fields that load pretrained weights: ``init_cfg`` of type
    ``Pretrained``, a ``pretrained=`` path, or ``load_from``."""
    found = []
    if isinstance(cfg, dict):
        for key, value in cfg.items():
            field = f'{path}.{key}'
            if key == 'type' and value == 'Pretrained':
                found.append(f'{path} (init_cfg Pretrained: '
                             f"{cfg.get('checkpoint')})")
            elif key in ('pretrained', 'load_from') and value:
                found.append(f'{field} = {value}')
            else:
                found.extend(find_pretrained(value, field))
    elif isinstance(cfg, (list, tuple)):
        for index, value in enumerate(cfg):
            found.extend(find_pretrained(value, f'{path}[{index}]'))
    return found


def build_detector(cfg: Config) -> torch.nn.Module:
    """Build the config's model in its default scope (no weights loaded)."""
    from mmdet.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    # Construction-time weights: sizes and latency do not depend on the
    # values, and init_weights() would only add log noise.
    return MODELS.build(cfg.model)


def weights_size_mb(model: torch.nn.Module,
                    checkpoint: Optional[str] = None) -> float:
    """Size of ``checkpoint`` on disk, or of the model's saved fp32
    ``state_dict`` (what a weights-only checkpoint holds)."""
    if checkpoint is not None:
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
        return osp.getsize(checkpoint) / 2**20
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.tell() / 2**20


def _forward(model: torch.nn.Module, shape: Tuple[int, int], device: str,
             mode: str) -> Callable[[], Any]:
    """One inference of a random ``H x W`` image: ``'tensor'`` (network
    only) or ``'predict'`` (mmdet's ``test_step``: normalisation and padding,
    network, box decoding and NMS)."""
    if mode == 'tensor':
        inputs = torch.rand(1, 3, *shape, device=device)
        return lambda: model(inputs, mode='tensor')
    image = torch.randint(0, 256, (3, *shape), dtype=torch.uint8)
    sample = DetDataSample(metainfo=dict(
        img_shape=shape, ori_shape=shape, scale_factor=(1.0, 1.0)))
    return lambda: model.test_step(
        dict(inputs=[image], data_samples=[sample]))


def median_latency_ms(model: torch.nn.Module,
                      shape: Tuple[int, int],
                      repeats: int,
                      warmup: int,
                      device: str,
                      mode: str = 'tensor') -> float:
    """Median time of one inference of a ``1 x 3 x H x W`` image, in
    ``mode`` (see :func:`_forward`)."""
    model = model.to(device).eval()
    run = _forward(model, shape, device, mode)
    times = []
    with torch.no_grad():
        for step in range(warmup + repeats):
            if device.startswith('cuda'):
                torch.cuda.synchronize()
            start = time.perf_counter()
            run()
            if device.startswith('cuda'):
                torch.cuda.synchronize()
            if step >= warmup:
                times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def deployed(model: torch.nn.Module) -> Optional[torch.nn.Module]:
    """A fused copy of ``model``, or None when it has no
    ``switch_to_deploy``."""
    if not hasattr(model, 'switch_to_deploy'):
        return None
    fused = copy.deepcopy(model).eval()
    fused.switch_to_deploy()
    return fused


def check_limits(args: argparse.Namespace) -> Dict[str, Any]:
    """Measure everything and decide pass/fail per limit."""
    cfg = load_config(args.config)
    model = build_detector(cfg)
    if args.checkpoint is not None:
        from mmengine.runner import load_checkpoint
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    shape = tuple(args.shape)
    result: Dict[str, Any] = dict(
        params_m=sum(p.numel() for p in model.parameters()) / 1e6,
        size_mb=weights_size_mb(model, args.checkpoint),
        size_from='checkpoint' if args.checkpoint else 'fp32 state_dict',
        pretrained=find_pretrained(cfg.to_dict()),
        device=args.device)
    result['latency_ms'] = median_latency_ms(model, shape, args.repeats,
                                             args.warmup, args.device)
    fused = deployed(model)
    result['deployed_latency_ms'] = None if fused is None else \
        median_latency_ms(fused, shape, args.repeats, args.warmup,
                          args.device)
    # the limit is for the whole inference: time the faster network again
    # with pre- and post-processing (mmdet's test_step)
    best = model if fused is None or (result['deployed_latency_ms'] >
                                      result['latency_ms']) else fused
    result['end_to_end_latency_ms'] = median_latency_ms(
        best, shape, args.repeats, args.warmup, args.device, mode='predict')
    result['pass'] = dict(
        size=result['size_mb'] <= args.size_limit_mb,
        latency=result['end_to_end_latency_ms'] <= args.latency_limit_ms,
        no_pretrained=not result['pretrained'])
    return result


def format_report(result: Dict[str, Any], args: argparse.Namespace) -> str:
    """The human-readable report, one line per measurement."""
    verdict = {True: 'PASS', False: 'FAIL'}
    h, w = args.shape
    deploy = result['deployed_latency_ms']
    lines = [
        f'config: {args.config}',
        f"parameters: {result['params_m']:.3f} M",
        f"model size: {result['size_mb']:.2f} MB ({result['size_from']}) "
        f"<= {args.size_limit_mb:g} MB: {verdict[result['pass']['size']]}",
        f"network latency {w}x{h} on {result['device']} (median of "
        f"{args.repeats}): train-time {result['latency_ms']:.1f} ms, "
        'deployed ' + ('n/a' if deploy is None else f'{deploy:.1f} ms'),
        'end-to-end latency (normalise, pad, network, decode, NMS; no image '
        f"decoding): {result['end_to_end_latency_ms']:.1f} ms "
        f"<= {args.latency_limit_ms:g} ms: "
        f"{verdict[result['pass']['latency']]}",
        'pretrained weights: '
        + (', '.join(result['pretrained']) or 'none')
        + f": {verdict[result['pass']['no_pretrained']]}",
    ]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    result = check_limits(args)
    print(format_report(result, args))
    return 0 if all(result['pass'].values()) else 1


if __name__ == '__main__':
    sys.exit(main())
