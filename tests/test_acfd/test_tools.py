# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The cartoon-face generator and the challenge-limits checker."""
import csv
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TINY_CFG = REPO / 'configs' / 'acfd' / 'acfd_tiny_demo.py'


def _load(relpath: str, name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / relpath)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def generator():
    return _load('tools/misc/make_cartoon_faces.py', 'make_cartoon_faces')


@pytest.fixture(scope='module')
def limits():
    return _load('tools/analysis/check_challenge_limits.py',
                 'check_challenge_limits')


def _rows(root: Path, split: str):
    with open(root / f'{split}.csv') as f:
        return list(csv.reader(f))


def test_generator_is_deterministic_and_valid(generator, tmp_path):
    args = ['--num-train', '6', '--num-val', '4', '--size', '64']
    generator.main([str(tmp_path / 'a'), *args])
    generator.main([str(tmp_path / 'b'), *args])
    for split, num in (('train', 6), ('val', 4)):
        rows = _rows(tmp_path / 'a', split)
        assert rows == _rows(tmp_path / 'b', split)
        names = (tmp_path / 'a' / f'{split}_list.txt').read_text().split()
        assert names == [f'{i:05d}.jpg' for i in range(num)]
        for name in names:
            a = (tmp_path / 'a' / 'images' / split / name).read_bytes()
            assert a == (tmp_path / 'b' / 'images' / split / name).read_bytes()
        for name, x1, y1, x2, y2, label in rows:
            assert name in names and label == 'face'
            x1, y1, x2, y2 = map(float, (x1, y1, x2, y2))
            assert 0 <= x1 < x2 <= 64 and 0 <= y1 < y2 <= 64
    # The held-out split is drawn from another seed: no image is shared.
    train = {p.read_bytes() for p in (tmp_path / 'a/images/train').iterdir()}
    val = {p.read_bytes() for p in (tmp_path / 'a/images/val').iterdir()}
    assert not train & val


def test_generator_faces_vary_in_size_and_shape(generator):
    import numpy as np
    rng = np.random.default_rng(0)
    boxes = np.array([b for _ in range(60)
                      for b in generator.make_image(rng, 128)[1]])
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    assert len(boxes) > 60
    assert (np.minimum(w, h) < 12).any() and (np.maximum(w, h) > 50).any()
    ratio = h / w
    assert ratio.min() < 0.8 and ratio.max() > 1.25


def test_generator_rejects_bad_arguments(generator, tmp_path):
    with pytest.raises(SystemExit):
        generator.main([str(tmp_path), '--num-val', '0'])
    with pytest.raises(SystemExit):
        generator.main([str(tmp_path), '--size', '8'])


def test_find_pretrained_names_the_fields(limits):
    cfg = dict(
        model=dict(
            backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='x')),
            neck=[dict(pretrained='y.pth')]),
        load_from=None)
    found = limits.find_pretrained(cfg)
    assert found == ['cfg.model.backbone.init_cfg (init_cfg Pretrained: x)',
                     'cfg.model.neck[0].pretrained = y.pth']
    assert limits.find_pretrained(dict(load_from='z.pth')) == [
        'cfg.load_from = z.pth'
    ]


def test_check_limits_on_tiny_config(limits, tmp_path):
    import torch
    args = limits.parse_args(
        [str(TINY_CFG), '--shape', '64', '96', '--repeats', '1',
         '--warmup', '0', '--latency-limit-ms', '1e9'])
    result = limits.check_limits(args)
    model = limits.build_detector(limits.load_config(str(TINY_CFG)))
    assert result['params_m'] == pytest.approx(
        sum(p.numel() for p in model.parameters()) / 1e6)
    # fp32 weights: at least 4 bytes per parameter and buffer entry.
    assert result['size_mb'] >= result['params_m'] * 4e6 / 2**20
    assert result['deployed_latency_ms'] > 0 and result['latency_ms'] > 0
    # the limit is judged on the whole inference, which includes the network
    assert result['end_to_end_latency_ms'] > 0
    assert 'end-to-end latency' in limits.format_report(result, args)
    assert result['pass'] == dict(size=True, latency=True,
                                  no_pretrained=True)
    report = limits.format_report(result, args)
    assert 'PASS' in report and 'FAIL' not in report
    ckpt = tmp_path / 'tiny.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    args.checkpoint = str(ckpt)
    args.size_limit_mb = 1e-3
    result = limits.check_limits(args)
    assert result['size_mb'] == pytest.approx(ckpt.stat().st_size / 2**20)
    assert result['pass']['size'] is False


def test_check_limits_bad_arguments(limits, tmp_path):
    with pytest.raises(SystemExit):
        limits.parse_args([str(TINY_CFG), '--repeats', '0'])
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        limits.weights_size_mb(None, str(tmp_path / 'missing.pth'))
    with pytest.raises(FileNotFoundError, match='nope.py'):
        limits.main([str(tmp_path / 'nope.py')])


def test_check_limits_fails_a_slow_model(limits, capsys):
    # the failing path: a latency limit no model meets; main() reports the
    # measured number with FAIL and returns 1 (the process exit status)
    code = limits.main([
        str(TINY_CFG), '--shape', '64', '96', '--repeats', '1', '--warmup',
        '0', '--latency-limit-ms', '1e-6'
    ])
    out = capsys.readouterr().out
    assert code == 1
    latency_line = next(line for line in out.splitlines()
                        if line.startswith('end-to-end latency'))
    assert latency_line.endswith('<= 1e-06 ms: FAIL')
    assert 'model size' in out and 'MB: PASS' in out
    assert 'pretrained weights: none: PASS' in out


def test_challenge_config_builds_and_runs(limits):
    import torch
    cfg = limits.load_config(
        str(REPO / 'configs' / 'acfd' /
            'acfd_vovnetv3-39_abifpn_8xb8-40e_icartoonface.py'))
    assert cfg.model.type == 'ACFD'
    assert cfg.model.bbox_head.loss_cls.type == \
        'MarginBinaryClassificationLoss'
    assert cfg.model.train_cfg.assigner.type == 'DynamicAnchorAssigner'
    assert limits.find_pretrained(cfg) == []  # the challenge's rule
    model = limits.build_detector(cfg).eval()
    assert type(model.backbone).__name__ == 'VoVNetV3'
    assert type(model.neck).__name__ == 'ABiFPN'
    with torch.no_grad():
        cls_scores, bbox_preds = model._forward(torch.randn(1, 3, 128, 128))
    strides = cfg.model.bbox_head.anchor_generator.strides
    anchors = model.bbox_head.num_base_priors
    assert len(cls_scores) == len(strides)
    for score, box, stride in zip(cls_scores, bbox_preds, strides):
        side = -(-128 // stride)
        assert score.shape == (1, anchors, side, side)
        assert box.shape == (1, 4 * anchors, side, side)
