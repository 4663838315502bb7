# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The flags of tools/train.py and tools/test.py that change what the runner
does: ``--auto-scale-lr``, ``--amp`` and ``--show``.

The tools' ``main()`` runs in this process (the toy data lies in a
temporary folder that is the working directory), with ``build_runner``
wrapped so that the test sees the runner the tool built.
"""
import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import List

import pytest
import torch
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / 'configs' / 'toy'
CLS_CFG = str(CONFIGS / 'resnet_tiny_toy-cls.py')
DET_CFG = str(CONFIGS / 'retinanet_tiny_toy-det.py')
SEG_CFG = str(CONFIGS / 'fcn_tiny_toy-seg.py')
# no validation, one checkpoint at the end
SHORT = [
    'train_cfg.max_iters=2', 'train_cfg.val_interval=100',
    'default_hooks.checkpoint.interval=100'
]


@pytest.fixture(scope='module')
def toy_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('toy_flags')
    make_toy_data = _load(REPO / 'tools' / 'misc' / 'make_toy_data.py',
                          '_make_toy_data').make_toy_data
    make_toy_data(str(root / 'data' / 'toy'), num=4)
    return root


def _load(path: Path, name: str) -> ModuleType:
    """Import a script as a module; its ``sys.path`` edits are undone."""
    saved = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


@pytest.fixture
def run_tool(toy_root, monkeypatch, tmp_path):
    """``run_tool('train', *argv)``: the tool's ``main()`` with ``argv``,
    from the toy folder; returns the runner it built."""
    monkeypatch.chdir(toy_root)

    def _run(tool: str, *argv: str):
        module = _load(REPO / 'tools' / f'{tool}.py', f'_tool_{tool}')
        runners: List = []
        build = module.build_runner

        def _build(cfg):
            # mmdet's base configs name their visualizer 'visualizer': a
            # second runner in this process would get the first one's
            visualizer = cfg.get('visualizer', None)
            if visualizer is not None:
                visualizer['name'] = f'{tmp_path.name}_{tool}'
            runners.append(build(cfg))
            return runners[-1]

        monkeypatch.setattr(module, 'build_runner', _build)
        monkeypatch.setattr(sys, 'argv', [f'{tool}.py', *argv])
        module.main()
        assert len(runners) == 1
        return runners[0]

    return _run


def _log(runner) -> str:
    return Path(runner.log_dir, f'{runner.timestamp}.log').read_text()


# ------------------------------------------------------------ --auto-scale-lr
def test_auto_scale_lr_scales_by_the_real_batch(run_tool, tmp_path):
    """The det config inherits mmdet's ``auto_scale_lr`` (base batch 16);
    its real batch is 4 on 1 process: lr 0.01 becomes 0.01 * 4 / 16."""
    cfg = Config.fromfile(DET_CFG)
    base_lr = cfg.optim_wrapper.optimizer.lr
    base_batch = cfg.auto_scale_lr.base_batch_size
    real_batch = cfg.train_dataloader.batch_size
    assert (base_lr, base_batch, real_batch) == (0.01, 16, 4)
    runner = run_tool('train', DET_CFG, '--work-dir', str(tmp_path),
                      '--auto-scale-lr', '--cfg-options', *SHORT)
    expected = base_lr * real_batch / base_batch
    for group in runner.optim_wrapper.optimizer.param_groups:
        assert group['lr'] == pytest.approx(expected, rel=1e-12)
        assert group['initial_lr'] == pytest.approx(expected, rel=1e-12)
    assert f'Scaling the original LR by {real_batch / base_batch}' in _log(
        runner)
    saved = torch.load(tmp_path / 'iter_2.pth', weights_only=False)
    assert saved['optimizer']['param_groups'][0]['lr'] == pytest.approx(
        expected, rel=1e-12)


def test_without_auto_scale_lr_the_lr_is_the_configs(run_tool, tmp_path):
    runner = run_tool('train', CLS_CFG, '--work-dir', str(tmp_path),
                      '--cfg-options', 'auto_scale_lr.base_batch_size=1',
                      *SHORT)
    assert runner.optim_wrapper.optimizer.param_groups[0]['lr'] == 0.05
    assert 'Scaling the original LR' not in _log(runner)


def test_auto_scale_lr_without_base_batch_size_is_a_clear_error(
        run_tool, tmp_path):
    assert 'auto_scale_lr' not in Config.fromfile(CLS_CFG)
    with pytest.raises(KeyError, match='auto_scale_lr.base_batch_size'):
        run_tool('train', CLS_CFG, '--work-dir', str(tmp_path),
                 '--auto-scale-lr')


# ----------------------------------------------------------------------- --amp
def test_amp_on_cpu_is_a_clear_error(run_tool, tmp_path, monkeypatch):
    """Whatever the machine has: without CUDA, --amp stops before building
    anything (mmengine's AmpOptimWrapper cannot train on the CPU)."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(RuntimeError, match='--amp needs a CUDA device'):
        run_tool('train', CLS_CFG, '--work-dir', str(tmp_path), '--amp')
    assert not any(tmp_path.iterdir())


def test_amp_config_switch(monkeypatch):
    """What --amp does to the config (the CUDA check passed): a plain
    OptimWrapper becomes AmpOptimWrapper with a dynamic loss scale; an
    AmpOptimWrapper is kept; another wrapper type is an error naming it."""
    train = _load(REPO / 'tools' / 'train.py', '_tool_train')
    # the tool's view of torch only: mmengine's logger must see the truth
    monkeypatch.setattr(
        train, 'torch',
        SimpleNamespace(cuda=SimpleNamespace(is_available=lambda: True)))
    cfg = Config.fromfile(CLS_CFG)
    assert cfg.optim_wrapper.get('type', 'OptimWrapper') == 'OptimWrapper'
    train.enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    cfg.optim_wrapper.loss_scale = 512.0
    train.enable_amp(cfg)
    assert cfg.optim_wrapper.loss_scale == 512.0
    cfg.optim_wrapper.type = 'ApexOptimWrapper'
    with pytest.raises(ValueError, match="config sets 'ApexOptimWrapper'"):
        train.enable_amp(cfg)


@pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason='--amp trains with float16 autocast on CUDA only; this machine '
    'has no CUDA device (the CPU error is tested above)')
def test_amp_trains_on_cuda(run_tool, tmp_path):
    from mmengine.optim import AmpOptimWrapper
    runner = run_tool('train', CLS_CFG, '--work-dir', str(tmp_path), '--amp',
                      '--cfg-options', *SHORT)
    assert isinstance(runner.optim_wrapper, AmpOptimWrapper)
    assert runner.iter == 2
    assert next(runner.model.parameters()).is_cuda
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert math.isfinite(loss) and loss > 0
    scaler = runner.optim_wrapper.loss_scaler
    assert scaler.is_enabled() and math.isfinite(scaler.get_scale())
    saved = torch.load(tmp_path / 'iter_2.pth', weights_only=False)
    assert 'loss_scaler' in saved['optimizer']
    assert all(
        torch.isfinite(v).all() for v in saved['state_dict'].values()
        if v.is_floating_point())


# ---------------------------------------------------------------------- --show
def _checkpoint(cfg_path: str, path: Path) -> Path:
    from mmengine.registry import MODELS, init_default_scope
    cfg = Config.fromfile(cfg_path)
    init_default_scope(cfg.default_scope)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict()), path)
    return path


SHOW_CASES = {
    # config: (hook switch, images shown of 2 tested, extra options)
    'det': (DET_CFG, 'draw', 2, []),
    'cls': (CLS_CFG, 'enable', 1, []),  # its hook draws every 5000th sample
    'seg': (SEG_CFG, 'draw', 2, ['default_hooks.visualization.interval=1']),
}


@pytest.mark.parametrize('case', sorted(SHOW_CASES))
def test_show_displays_every_drawn_prediction(case, run_tool, tmp_path,
                                              monkeypatch):
    """--show: the toolbox's visualization hook gets show=True and the
    wait time, and the visualizer's show (patched: no window) gets each
    drawn prediction."""
    from mmengine.visualization import Visualizer
    cfg_path, switch, shown, extra = SHOW_CASES[case]
    calls = []

    def _show(self, image, win_name='', wait_time=0, **kwargs) -> None:
        calls.append((image, win_name, wait_time))

    monkeypatch.setattr(Visualizer, 'show', _show)
    ckpt = _checkpoint(cfg_path, tmp_path / 'model.pth')
    runner = run_tool('test', cfg_path, str(ckpt), '--work-dir',
                      str(tmp_path / 'work'), '--show', '--wait-time', '0.5',
                      '--cfg-options', 'test_dataloader.dataset.indices=2',
                      'test_dataloader.batch_size=2', *extra)
    hook = runner.cfg.default_hooks.visualization
    assert hook.show is True and hook.wait_time == 0.5
    assert hook[switch] is True
    built = [h for h in runner.hooks if 'Visualization' in type(h).__name__]
    assert len(built) == 1 and built[0].show is True
    assert len(calls) == shown
    for image, name, wait_time in calls:
        assert wait_time == 0.5 and name
        assert image.ndim == 3 and image.shape[2] == 3 and image.max() > 0
