# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""UnFlowLoss: hand-computed values, stage switch and gradients."""
import pytest
import torch

from projects.arflow.models import UnFlowLoss


def _pyramid(flow, n=2):
    return [flow] + [
        torch.nn.functional.interpolate(flow, scale_factor=0.5**i)
        for i in range(1, n)
    ]


def test_l1_term_is_the_weighted_mean_difference():
    img1 = torch.full((1, 3, 8, 8), 0.2)
    img2 = torch.full((1, 3, 8, 8), 0.5)
    zero = [torch.zeros(1, 2, 8, 8), torch.zeros(1, 2, 4, 4)]
    loss = UnFlowLoss(
        w_l1=0.15, w_ssim=0.0, w_scales=(1.0, 0.5), w_sm_scales=(1.0, 0.0))
    losses, noc = loss(zero, zero, img1, img2)
    # Zero flow: all pixels visible, |I1 - I2| = 0.3 at both scales.
    assert torch.equal(noc, torch.ones(1, 1, 8, 8))
    assert losses['loss_photo'].item() == pytest.approx(0.15 * 0.3 * 1.5)
    assert losses['loss_smooth'].item() == 0


def test_occluded_pixels_are_masked_and_renormalised():
    img1 = torch.rand(1, 3, 4, 6)
    img2 = img1.clone()
    img2[..., 0] += 0.5  # only frame 1's column 0 differs
    fw = torch.zeros(1, 2, 4, 6)
    bw = torch.zeros(1, 2, 4, 6)
    bw[:, 0] = 1.0  # frame 2 -> 1 moves right: column 0 is occluded
    loss = UnFlowLoss(
        w_l1=1.0, w_ssim=0.0, w_scales=(1.0, ), w_sm_scales=(0.0, ),
        with_bk=False)
    losses, noc = loss([fw], [bw], img1, img2)
    assert noc[..., 0].sum() == 0 and noc[..., 1:].all()
    assert losses['loss_photo'].item() == pytest.approx(0.0, abs=1e-7)


def test_smoothness_uses_the_finest_scale_divisor():
    img = torch.zeros(1, 3, 4, 8)
    fw = torch.zeros(1, 2, 4, 8)
    fw[:, 0] = torch.arange(8.)  # du/dx = 1, s = min(4, 8) = 4
    loss = UnFlowLoss(
        w_l1=0.0, w_ssim=0.0, w_scales=(1.0, ), w_sm_scales=(1.0, ),
        w_smooth=50.0, with_bk=False)
    losses, _ = loss([fw], [torch.zeros_like(fw)], img, img)
    assert losses['loss_smooth'].item() == pytest.approx(50.0 * (1 / 4) / 8)


def test_stage_switch_changes_terms_and_is_a_buffer():
    torch.manual_seed(0)
    img1, img2 = torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8)
    zero = [torch.zeros(1, 2, 8, 8)]
    loss = UnFlowLoss(
        stage2=dict(w_l1=0.0, w_ssim=0.0, w_ternary=1.0,
                    occ_from_back=False),
        w_scales=(1.0, ), w_sm_scales=(1.0, ))
    stage1 = loss(zero, zero, img1, img2)[0]['loss_photo']
    assert loss.active_cfg['w_ssim'] == 0.85
    loss.set_stage(2)
    assert loss.state_dict()['stage'].item() == 2
    stage2 = loss(zero, zero, img1, img2)[0]['loss_photo']
    assert loss.active_cfg['w_ternary'] == 1.0
    assert stage1.item() != pytest.approx(stage2.item())
    fresh = UnFlowLoss(stage2=dict(w_ternary=1.0))
    fresh.load_state_dict(loss.state_dict())
    assert int(fresh.stage) == 2
    with pytest.raises(ValueError, match='stage'):
        loss.set_stage(3)
    with pytest.raises(KeyError, match='w_smooth'):
        UnFlowLoss(stage2=dict(w_smooth=1.0))


def test_gradients_reach_both_flows():
    torch.manual_seed(0)
    img1, img2 = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    fw = (torch.randn(1, 2, 16, 16) * 0.5).requires_grad_()
    bw = (torch.randn(1, 2, 16, 16) * 0.5).requires_grad_()
    loss = UnFlowLoss(w_scales=(1.0, 1.0), w_sm_scales=(1.0, 0.0))
    losses, _ = loss(_pyramid(fw), _pyramid(bw), img1, img2)
    sum(losses.values()).backward()
    assert fw.grad.abs().sum() > 0 and bw.grad.abs().sum() > 0


def test_bad_scale_configuration():
    with pytest.raises(ValueError, match='one weight per scale'):
        UnFlowLoss(w_scales=(1.0, 1.0), w_sm_scales=(1.0, ))
    with pytest.raises(ValueError, match='need 2 flows'):
        UnFlowLoss(w_scales=(1.0, 1.0, 0.0), w_sm_scales=(1.0, 0.0, 0.0))([torch.zeros(1, 2, 4, 4)], [torch.zeros(1, 2, 4, 4)],
                     torch.zeros(1, 3, 4, 4), torch.zeros(1, 3, 4, 4))
