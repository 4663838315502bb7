# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""RandomAffineFlow: identity, a hand-checked zoom, validity of draws."""
import torch

from projects.arflow.models import RandomAffineFlow


def _identity():
    return RandomAffineFlow(
        rotate=(0, 0, 0, 0),
        squeeze=(1, 1, 1, 1),
        trans=(0, 0),
        zoom=(1, 1, 1, 1),
        hflip=False,
        add_noise=False)


def test_identity_transform_changes_nothing():
    torch.manual_seed(0)
    imgs = [torch.rand(2, 3, 8, 12), torch.rand(2, 3, 8, 12)]
    flow = torch.randn(2, 2, 8, 12)
    mask = (torch.rand(2, 1, 8, 12) > 0.5).float()
    out_imgs, out_flow, out_mask = _identity()(imgs, flow, mask)
    for a, b in zip(out_imgs, imgs):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-5)
    torch.testing.assert_close(out_flow, flow, rtol=0, atol=1e-5)
    torch.testing.assert_close(out_mask, mask, rtol=0, atol=1e-5)


def test_zoom_scales_a_constant_flow():
    zoom = 1.25
    theta = torch.tensor([[[zoom, 0., 0.], [0., zoom, 0.]]])
    flow = torch.zeros(1, 2, 9, 9)
    flow[:, 0], flow[:, 1] = 1.0, 0.5
    _, out, _ = _identity().transform([torch.zeros(1, 3, 9, 9)] * 2, flow,
                                      torch.ones(1, 1, 9, 9), [theta, theta])
    # Same zoom on both frames: displacements grow by the zoom factor.
    centre = out[0, :, 2:7, 2:7]
    torch.testing.assert_close(centre[0], torch.full((5, 5), 1.25))
    torch.testing.assert_close(centre[1], torch.full((5, 5), 0.625))


def test_relative_translation_adds_to_the_flow():
    t = 0.25  # normalized units: (W - 1) / 2 * 0.25 = 1 px on a 9 px frame
    theta1 = torch.tensor([[[1., 0., 0.], [0., 1., 0.]]])
    theta2 = torch.tensor([[[1., 0., t], [0., 1., 0.]]])
    flow = torch.zeros(1, 2, 9, 9)
    _, out, _ = _identity().transform([torch.zeros(1, 3, 9, 9)] * 2, flow,
                                      torch.ones(1, 1, 9, 9),
                                      [theta1, theta2])
    torch.testing.assert_close(out[0, 0], torch.full((9, 9), 1.0))
    assert out[0, 1].abs().max() < 1e-6


def test_random_draws_stay_inside_the_frame_and_flip():
    torch.manual_seed(0)
    st = RandomAffineFlow()  # Sintel ranges, flips and noise
    thetas = st.draw_transforms(16, 32, 48, torch.zeros(1))
    corners = torch.tensor([[-1., -1., 1., 1.], [-1., 1., -1., 1.]])
    for theta in thetas:
        inv = torch.linalg.inv(theta[:, :, :2])
        src = torch.bmm(inv, corners.expand(16, -1, -1) - theta[:, :, 2:])
        # Official validity: pixel coordinates in [0, W) x [0, H).
        assert src.min() >= -1.0 - 1e-6
        assert (src[:, 0] < 1 + 2 / 47).all() and (src[:, 1] < 1 + 2 / 31).all()
    signs = torch.sign(thetas[0][:, 0, 0])
    assert (signs < 0).any() and (signs > 0).any()
    imgs = [torch.rand(16, 3, 32, 48), torch.rand(16, 3, 32, 48)]
    out_imgs, flow, mask = st(imgs, torch.zeros(16, 2, 32, 48),
                              torch.ones(16, 1, 32, 48))
    assert all(im.min() >= 0 and im.max() <= 1 for im in out_imgs)
    assert flow.shape == (16, 2, 32, 48) and mask.shape == (16, 1, 32, 48)
