# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""tools/model_converters/arflow_to_mm.py on synthetic official checkpoints."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import projects.arflow  # noqa: F401

REPO = Path(__file__).resolve().parents[2]


def test_convert_official_tar_and_load_into_arflow(tmp_path,
                                                   official_state_dict):
    state = official_state_dict(3)
    src = tmp_path / 'pwclite_ar_mv.tar'
    torch.save(dict(epoch=3, state_dict={
        f'module.{k}': v
        for k, v in state.items()
    }), src)
    dst = tmp_path / 'out' / 'mv.pth'
    proc = subprocess.run([
        sys.executable, 'tools/model_converters/arflow_to_mm.py',
        str(src), str(dst)
    ], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '3 frames' in proc.stdout
    out = torch.load(dst, map_location='cpu', weights_only=False)
    init_default_scope('mmseg')
    model = MODELS.build(
        dict(type='ARFlow', flow_net=dict(type='PWCLite', n_frames=3),
             loss=dict(type='UnFlowLoss')))
    missing, unexpected = model.load_state_dict(out['state_dict'],
                                                strict=False)
    assert missing == ['loss_func.stage'] and unexpected == []
    assert torch.equal(model.flow_net.conv_1x1[0][0].weight,
                       state['conv_1x1.0.0.weight'])


def test_convert_rejects_foreign_and_incomplete_dicts(official_state_dict,
                                                     monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / 'tools' / 'model_converters'))
    from arflow_to_mm import convert
    with pytest.raises(KeyError, match='x.tar.*not a PWC-Lite'):
        convert({'fc.weight': torch.zeros(1)}, 'x.tar')
    state = official_state_dict(2)
    del state['conv_1x1.4.0.bias']
    with pytest.raises(RuntimeError, match='(?s)y.tar.*conv_1x1.4.0.bias'):
        convert(state, 'y.tar')
