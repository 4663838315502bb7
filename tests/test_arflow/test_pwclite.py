# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""PWC-Lite: the official layout (parameter counts, strict official keys),
any input size, and the correlation against a brute-force loop."""
import pytest
import torch

from projects.arflow.models import FlowCorrelation, PWCLite


def _brute_force_correlation(f1, f2, d):
    batch, channels, height, width = f1.shape
    out = torch.zeros(batch, (2 * d + 1)**2, height, width, dtype=f1.dtype)
    for k_y, dy in enumerate(range(-d, d + 1)):
        for k_x, dx in enumerate(range(-d, d + 1)):
            for y in range(height):
                for x in range(width):
                    if 0 <= y + dy < height and 0 <= x + dx < width:
                        out[:, k_y * (2 * d + 1) + k_x, y, x] = (
                            f1[:, :, y, x] * f2[:, :, y + dy, x + dx]).sum(
                                1) / channels
    return out


@pytest.mark.parametrize('n_frames,count', [(2, 2236660), (3, 2371444)])
def test_parameter_count_matches_official(n_frames, count):
    model = PWCLite(n_frames=n_frames)
    assert sum(p.numel() for p in model.parameters()) == count


@pytest.mark.parametrize('n_frames', [2, 3])
def test_official_keys_load_strictly(n_frames, official_state_dict):
    state = official_state_dict(n_frames)
    model = PWCLite(n_frames=n_frames)
    model.load_state_dict(state, strict=True)
    assert torch.equal(model.conv_1x1[2][0].weight,
                       state['conv_1x1.2.0.weight'])


def test_correlation_equals_brute_force_loop():
    torch.manual_seed(0)
    f1 = torch.randn(2, 5, 6, 7, dtype=torch.float64)
    f2 = torch.randn(2, 5, 6, 7, dtype=torch.float64)
    corr = FlowCorrelation(max_displacement=4)
    out = corr(f1, f2)
    assert out.shape == (2, 81, 6, 7) and corr.out_channels == 81
    torch.testing.assert_close(out, _brute_force_correlation(f1, f2, 4))
    # Displacement (dy, dx) = (0, 0) is channel 40: the mean of f1 * f2.
    torch.testing.assert_close(out[:, 40], (f1 * f2).mean(1))


def test_correlation_gradient_and_cpu_fallback_of_mmcv_switch():
    f1 = torch.randn(1, 3, 5, 5, requires_grad=True)
    f2 = torch.randn(1, 3, 5, 5, requires_grad=True)
    out = FlowCorrelation(2, use_mmcv=True)(f1, f2)  # CPU: pure torch
    out.sum().backward()
    assert f1.grad.abs().sum() > 0 and f2.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='one shape'):
        FlowCorrelation()(f1, f2[:, :2])


def test_any_input_size_and_bidirectional_outputs():
    torch.manual_seed(0)
    model = PWCLite().eval()
    with torch.no_grad():
        out = model(torch.rand(1, 6, 40, 50), with_bk=True)
    assert [tuple(f.shape[-2:]) for f in out['flows_fw']] == [
        (40, 50), (20, 25), (10, 13), (5, 7), (3, 4)
    ]
    assert [f.shape for f in out['flows_bw']] == [
        f.shape for f in out['flows_fw']
    ]
    assert torch.isfinite(out['flows_fw'][0]).all()


def test_three_frame_variant_outputs_both_directions():
    model = PWCLite(n_frames=3).eval()
    with torch.no_grad():
        out = model(torch.rand(1, 9, 64, 64))
    assert out['flows_fw'][0].shape == (1, 2, 64, 64)
    assert out['flows_bw'][0].shape == (1, 2, 64, 64)


def test_bad_inputs():
    with pytest.raises(ValueError, match='n_frames'):
        PWCLite(n_frames=4)
    with pytest.raises(ValueError, match='expected'):
        PWCLite()(torch.rand(1, 9, 64, 64))


def test_normalized_correlation_by_hand_and_invariance():
    torch.manual_seed(0)
    f1 = torch.randn(2, 4, 5, 6, dtype=torch.float64)
    f2 = torch.randn(2, 4, 5, 6, dtype=torch.float64)
    out = FlowCorrelation(2, normalize_features=True)(f1, f2)
    # One mean and one std per sample over channels, positions and frames.
    both = torch.cat([f1, f2], dim=1).flatten(1)
    mean = both.mean(1).view(2, 1, 1, 1)
    std = both.std(1, unbiased=False).view(2, 1, 1, 1)
    expected = _brute_force_correlation((f1 - mean) / std,
                                        (f2 - mean) / std, 2)
    torch.testing.assert_close(out, expected)
    # A per-sample affine change of both maps leaves it unchanged.
    scale = torch.tensor([3.0, 0.5], dtype=torch.float64).view(2, 1, 1, 1)
    torch.testing.assert_close(
        FlowCorrelation(2, normalize_features=True)(f1 * scale + 7,
                                                    f2 * scale + 7),
        out,
        rtol=1e-6,
        atol=1e-7)  # eps 1e-8 in the variance


def test_normalized_correlation_peaks_at_the_shift_of_offset_features():
    # Positive features with a large common mean (like LeakyReLU features of
    # a freshly initialised network): the plain dot product peaks where the
    # features are large, the normalised one at the true displacement.
    torch.manual_seed(0)
    base = torch.rand(1, 8, 12, 20) + 5.0
    f1, f2 = base[..., 2:18], base[..., 3:19]  # f2(x - 1) = f1(x)
    plain = FlowCorrelation(2)(f1, f2)[..., 2:-2, 2:-2]
    normed = FlowCorrelation(2, normalize_features=True)(f1,
                                                          f2)[..., 2:-2, 2:-2]
    shift = 2 * 5 + 1  # (dy, dx) = (0, -1)
    hits = (normed.argmax(1) == shift).float().mean()
    plain_hits = (plain.argmax(1) == shift).float().mean()
    assert hits > 0.85 and plain_hits < 0.15  # measured 0.90 and 0.06
    f1.requires_grad_(True)
    FlowCorrelation(2, normalize_features=True)(f1, f2).sum().backward()
    assert torch.isfinite(f1.grad).all() and f1.grad.abs().sum() > 0
    assert PWCLite(normalize_corr_features=True).corr.normalize_features


@pytest.mark.skipif(
    not torch.cuda.is_available(), reason='mmcv Correlation needs CUDA')
@pytest.mark.parametrize('normalize', [False, True])
def test_mmcv_cuda_correlation_equals_pure_torch(normalize):
    torch.manual_seed(0)
    f1 = torch.randn(2, 16, 12, 20, device='cuda')
    f2 = torch.randn(2, 16, 12, 20, device='cuda')
    ours = FlowCorrelation(4, normalize_features=normalize)(f1, f2)
    try:
        mmcv_out = FlowCorrelation(
            4, use_mmcv=True, normalize_features=normalize)(f1, f2)
    except RuntimeError as err:  # an mmcv build without CUDA ops
        if 'compiled' not in str(err).lower():
            raise
        pytest.skip(f'mmcv has no CUDA Correlation: {err}')
    torch.testing.assert_close(mmcv_out, ours, rtol=1e-5, atol=1e-6)
