# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Colour-wheel flow rendering and tools/analysis/visualize_flow.py."""
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from projects.arflow.visualization import (error_to_rgb, flow_to_rgb,
                                           make_colorwheel)

REPO = Path(__file__).resolve().parents[2]
CFG = ('configs/arflow/'
       'arflow_pwclite-ar_1xb4-800it_flow-chairs-demo-64x128.py')


def test_colour_wheel_conventions():
    wheel = make_colorwheel()
    assert wheel.shape == (55, 3)
    flow = np.zeros((2, 3, 2))
    flow[0, 0] = (2, 0)  # right: red
    flow[0, 1] = (0, 2)  # down: yellow-green side of the wheel
    flow[0, 2] = (1, 0)  # half magnitude: paler red
    rgb = flow_to_rgb(flow)
    assert rgb.dtype == np.uint8 and rgb.shape == (2, 3, 3)
    assert np.array_equal(rgb[1, 0], [255, 255, 255])  # zero flow: white
    assert rgb[0, 0, 0] == 255 and rgb[0, 0, 1] < 30 and rgb[0, 0, 2] < 30
    assert rgb[0, 1, 1] > 150 and rgb[0, 1, 2] < 100
    assert rgb[0, 2, 1] > rgb[0, 0, 1]  # less saturated
    assert np.array_equal(error_to_rgb(np.array([[0., 3., 6.]]))[0, :, 0],
                          [0, 255, 255])
    with pytest.raises(ValueError, match='H, W, 2'):
        flow_to_rgb(np.zeros((3, 3)))


def test_visualize_tool_writes_panels(tmp_path, monkeypatch, load_tool):
    gen = load_tool('tools/misc/make_flow_pairs.py')
    gen.write_chairs(str(tmp_path / 'data'), 1, 1, 64, 64, seed=1)
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='ARFlow', flow_net=dict(type='PWCLite', output_level=3),
             loss=dict(type='UnFlowLoss')))
    ckpt = tmp_path / 'model.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    tool = load_tool('tools/analysis/visualize_flow.py')
    monkeypatch.setattr(sys, 'argv', [
        'visualize_flow.py', str(REPO / CFG),
        str(ckpt), '--out-dir',
        str(tmp_path / 'vis'), '--num', '1', '--cfg-options',
        f'test_dataloader.dataset.data_root={tmp_path}/data/',
        'model.flow_net.output_level=3'
    ])
    tool.main()
    files = sorted((tmp_path / 'vis').glob('*.png'))
    assert [f.name for f in files] == ['00002_flow.png']  # the val pair
    panel = cv2.imread(str(files[0]))
    assert panel.shape == (64, 4 * 64, 3)  # frame | pred | gt | error
