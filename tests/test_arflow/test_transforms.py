# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Pipeline transforms: crop, flip, frame swap, resize, appearance jitter,
packing and the data preprocessor."""
import random

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS, TRANSFORMS

import projects.arflow  # noqa: F401


def _build(cfg):
    init_default_scope('mmseg')
    return TRANSFORMS.build(cfg)


def _results(h=6, w=8, with_flow=True):
    rng = np.random.default_rng(0)
    res = dict(
        img_paths=['a.png', 'b.png'],
        imgs=[rng.uniform(0, 255, (h, w, 3)).astype(np.float32)
              for _ in range(2)],
        img_shape=(h, w),
        ori_shape=(h, w))
    if with_flow:
        res['gt_flow_fw'] = rng.normal(size=(h, w, 2)).astype(np.float32)
        res['gt_valid_fw'] = np.ones((h, w), np.float32)
    return res


def test_crop_cuts_frames_and_maps_at_one_position():
    res = _results()
    ref = {k: np.copy(v) if isinstance(v, np.ndarray) else list(v)
           for k, v in res.items()}
    random.seed(3)
    out = _build(dict(type='FlowRandomCrop', crop_size=(4, 5)))(res)
    assert out['imgs'][0].shape == (4, 5, 3) and out['img_shape'] == (4, 5)
    # Locate the crop in frame 1 and check frame 2 and flow match there.
    for top in range(3):
        for left in range(4):
            if np.array_equal(ref['imgs'][0][top:top + 4, left:left + 5],
                              out['imgs'][0]):
                assert np.array_equal(
                    ref['imgs'][1][top:top + 4, left:left + 5], out['imgs'][1])
                assert np.array_equal(
                    ref['gt_flow_fw'][top:top + 4, left:left + 5],
                    out['gt_flow_fw'])
    with pytest.raises(ValueError, match='a.png'):
        _build(dict(type='FlowRandomCrop', crop_size=(7, 5)))(_results())


def test_flip_mirrors_and_negates_u():
    res = _results()
    flow = res['gt_flow_fw'].copy()
    img = res['imgs'][1].copy()
    out = _build(dict(type='FlowRandomHFlip', prob=1.0))(res)
    assert np.array_equal(out['imgs'][1], img[:, ::-1])
    assert np.array_equal(out['gt_flow_fw'][..., 0], -flow[:, ::-1, 0])
    assert np.array_equal(out['gt_flow_fw'][..., 1], flow[:, ::-1, 1])


def test_frame_swap_reverses_and_refuses_flow():
    res = _results(with_flow=False)
    first = res['imgs'][0].copy()
    out = _build(dict(type='RandomFrameSwap', prob=1.0))(res)
    assert np.array_equal(out['imgs'][1], first)
    with pytest.raises(ValueError, match='a.png'):
        _build(dict(type='RandomFrameSwap', prob=1.0))(_results())


def test_resize_keeps_ground_truth_at_original_size_by_default():
    out = _build(dict(type='FlowResize', scale=(12, 4)))(_results())
    assert out['imgs'][0].shape == (12, 4, 3)
    assert out['gt_flow_fw'].shape == (6, 8, 2) and out['ori_shape'] == (6, 8)
    res = _results()
    flow = res['gt_flow_fw'].copy()
    out = _build(dict(type='FlowResize', scale=(12, 4),
                      resize_gt=True))(res)
    assert out['gt_flow_fw'].shape == (12, 4, 2)
    assert np.isclose(out['gt_flow_fw'][0, 0, 0], flow[0, 0, 0] * 0.5)
    assert np.isclose(out['gt_flow_fw'][0, 0, 1], flow[0, 0, 1] * 2.0)


def test_appearance_jitter_makes_shared_ph_copies():
    res = _results(with_flow=False)
    res['imgs'] = [np.full((6, 8, 3), 100, np.float32)] * 2
    torch.manual_seed(0)
    np.random.seed(0)
    out = _build(dict(type='AppearanceJitter', blur=False))(res)
    ph = out['imgs_ph']
    assert len(ph) == 2 and ph[0].shape == (6, 8, 3)
    assert np.array_equal(out['imgs'][0], np.full((6, 8, 3), 100))
    assert not np.allclose(ph[0], 100)  # jittered
    assert np.array_equal(ph[0], ph[1])  # one draw for both frames
    assert ph[0].min() >= 0 and ph[0].max() <= 255
    none = _build(dict(type='AppearanceJitter', brightness=0, contrast=0,
                       saturation=0, gamma=False, blur=False))(
                           _results(with_flow=False))
    # 8-bit truncation as the official float -> PIL conversion.
    assert np.allclose(none['imgs_ph'][0], np.floor(none['imgs'][0]))


def test_pack_and_preprocess_scale_to_unit_range():
    res = _results()
    res['imgs_ph'] = [im * 0.5 for im in res['imgs']]
    packed = _build(dict(type='PackFlowInputs'))(res)
    assert packed['inputs']['imgs'].shape == (6, 6, 8)
    sample = packed['data_samples']
    assert sample.gt_flow_fw.data.shape == (2, 6, 8)
    assert sample.img_paths == ['a.png', 'b.png']
    pre = MODELS.build(dict(type='FlowDataPreprocessor'))
    batch = pre(dict(inputs=[packed['inputs']] * 2,
                     data_samples=[sample, sample]))
    assert batch['inputs']['imgs'].shape == (2, 6, 6, 8)
    assert torch.allclose(batch['inputs']['imgs'][0, :3],
                          torch.from_numpy(res['imgs'][0]).permute(2, 0, 1)
                          / 255)
    assert torch.allclose(batch['inputs']['imgs_ph'],
                          batch['inputs']['imgs'] * 0.5)
    pack = _build(dict(type='PackFlowInputs'))
    other = pack(_results(h=4))['inputs']
    with pytest.raises(ValueError, match='different keys'):
        pre(dict(inputs=[packed['inputs'], other]))
    with pytest.raises(ValueError, match='differ in shape'):
        pre(dict(inputs=[pack(_results())['inputs'], other]))
