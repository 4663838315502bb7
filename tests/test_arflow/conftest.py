# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""ARFlow test fixtures."""
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Callable, Dict

import pytest
import torch


def _official_state_dict(n_frames: int) -> Dict[str, torch.Tensor]:
    """The key set and shapes of the official ``PWCLite`` (models/pwclite.py:
    FeatureExtractor ``convs``, FlowEstimatorReduce, ContextNetwork,
    ``conv_1x1``), written out from its channel arithmetic."""
    shapes = {}

    def conv(name, c_in, c_out, k=3):
        shapes[f'{name}.0.weight'] = (c_out, c_in, k, k)
        shapes[f'{name}.0.bias'] = (c_out, )

    chs = [3, 16, 32, 64, 96, 128, 192]
    for i, (a, b) in enumerate(zip(chs[:-1], chs[1:])):
        conv(f'feature_pyramid_extractor.convs.{i}.0', a, b)
        conv(f'feature_pyramid_extractor.convs.{i}.1', b, b)
    c_in = 32 + 83 * (n_frames - 1)
    conv('flow_estimators.conv1', c_in, 128)
    conv('flow_estimators.conv2', 128, 128)
    conv('flow_estimators.conv3', 256, 96)
    conv('flow_estimators.conv4', 224, 64)
    conv('flow_estimators.conv5', 160, 32)
    conv('flow_estimators.predict_flow', 96, 2)
    ctx = [34 * (n_frames - 1), 128, 128, 128, 96, 64, 32, 2]
    for i, (a, b) in enumerate(zip(ctx[:-1], ctx[1:])):
        conv(f'context_networks.convs.{i}', a, b)
    for i, c in enumerate([192, 128, 96, 64, 32]):
        conv(f'conv_1x1.{i}', c, 32, k=1)
    return {k: torch.randn(v) for k, v in shapes.items()}


@pytest.fixture
def official_state_dict() -> Callable[[int], Dict[str, torch.Tensor]]:
    """A function giving a random official PWC-Lite state dict (2 or 3
    frames)."""
    return _official_state_dict


def _load_tool(rel: str) -> ModuleType:
    path = Path(__file__).resolve().parents[2] / rel
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def load_tool() -> Callable[[str], ModuleType]:
    """A function importing a script under tools/ by its repo path."""
    return _load_tool
