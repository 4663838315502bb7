# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Offline distillation trains through tools/train.py from a checkpoint of
the baseline demo: the teacher is peer 0 of that run, frozen, and its term
changes what the peers learn."""
import torch

from ._demo_run import load, train

BASELINE = 'configs/dgd/dgd-demo-baseline_resnet20-tiny_2peers-4e_toy-cls.py'
OFFLINE = ('configs/dgd/'
           'dgd-demo-offline-distillation_resnet20-tiny_2peers-4e_toy-cls.py')


def test_offline_distillation_from_a_baseline_checkpoint(tmp_path, toy_cls):
    train(BASELINE, tmp_path / 'baseline', toy_cls)
    teacher_ckpt = tmp_path / 'baseline' / 'epoch_2.pth'
    logs = train(OFFLINE,
                 tmp_path / 'offline',
                 toy_cls,
                 options=[f'model.teacher_ckpt={teacher_ckpt}'])
    assert 'peer0.loss_teacher' in logs and 'peer1.loss_teacher' in logs
    assert 'FilterGraftingHook' not in logs and 'loss_kd' not in logs
    baseline = load(teacher_ckpt)['state_dict']
    offline = load(tmp_path / 'offline' / 'epoch_2.pth')['state_dict']
    teacher = {
        k[len('teachers.0.'):]: v
        for k, v in offline.items() if k.startswith('teachers.0.')
    }
    assert teacher, 'the teacher is not in the checkpoint'
    for key, value in teacher.items():
        torch.testing.assert_close(value, baseline[f'peers.0.{key}'])
    # same seeds, batches and lrs as the baseline: only the teacher term
    # can make the peers differ
    for peer in (0, 1):
        key = f'peers.{peer}.head.fc.weight'
        assert not torch.allclose(offline[key], baseline[key])
