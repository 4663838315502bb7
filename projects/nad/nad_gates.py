# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""NAD gates attached to named modules of any classifier by forward hooks."""
import difflib
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from .channel_gate import ChannelGate
from .gate_presets import GATE_PRESETS


class _ProbeDone(Exception):
    """Stops the probe forward pass once every gated module has run."""


def resolve_positions(positions: Union[str, Sequence[str]]) -> List[str]:
    """A preset name (``'resnet50'``, ``'vgg16'``, ``'densenet121'``) or a
    list of module names -> the list of module names."""
    if isinstance(positions, str):
        if positions not in GATE_PRESETS:
            raise KeyError(f'NADGates: unknown preset {positions!r}; presets: '
                           f'{sorted(GATE_PRESETS)} (or give a list of '
                           'module names)')
        return list(GATE_PRESETS[positions])
    names = [str(name) for name in positions]
    if not names:
        raise ValueError('NADGates: positions is empty')
    if len(set(names)) != len(names):
        raise ValueError(f'NADGates: positions repeat a module: {names}')
    return names


def _check_names(names: List[str], modules: Dict[str, nn.Module]) -> None:
    """Raise a KeyError listing close module names for unknown names."""
    unknown = [name for name in names if name not in modules]
    if not unknown:
        return
    lines = []
    for name in unknown:
        close = difflib.get_close_matches(name, list(modules), n=5, cutoff=0.6)
        lines.append(f'  {name!r}: close names {close}')
    raise KeyError('NADGates: the model has no module named\n' +
                   '\n'.join(lines))


def classifier_logits(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Logits of an mmengine model (``mode='tensor'``) or a plain module."""
    if hasattr(model, 'data_preprocessor'):
        return model(inputs, mode='tensor')
    return model(inputs)


@MODELS.register_module()
class NADGates(BaseModule):
    """The channel gates of NAD on named modules of an unchanged network.

    `Architecture Disentanglement for Deep Neural Networks
    <https://arxiv.org/abs/2003.13268>`_: a gate
    :math:`y_l = g(m_l) \\odot x_l` (see :class:`ChannelGate`) on the output
    :math:`x_l` of each chosen layer l. :meth:`attach` registers one forward
    hook per module; the network's own code and state dict stay unchanged
    and :meth:`detach` removes the hooks. While attached, the gated outputs
    of the last forward pass are in :attr:`activations` (name -> tensor).

    Channel counts are read from one probe forward pass of a small zero
    image that stops as soon as every gated module has run (so a 64 px probe
    also works for VGG's 224 px classifier), or given as ``channels``.

    Args:
        positions (str or list[str]): A preset of
            :data:`projects.nad.gate_presets.GATE_PRESETS` or module names
            of the model (``model.named_modules()``), in forward order.
        channels (list[int], optional): Channels of each position; None
            probes them at :meth:`attach`. Defaults to None.
        mode (str): ``'search'``, ``'binary'`` or ``'off'``.
            Defaults to ``'search'``.
        probe_size (int): Side of the probe image. Defaults to 64.
        probe_channels (int): Channels of the probe image. Defaults to 3.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 positions: Union[str, Sequence[str]],
                 channels: Optional[Sequence[int]] = None,
                 mode: str = 'search',
                 probe_size: int = 64,
                 probe_channels: int = 3,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.positions = resolve_positions(positions)
        self.probe_size = probe_size
        self.probe_channels = probe_channels
        self._mode = mode
        self.gates = nn.ModuleList()
        if channels is not None:
            self._build_gates(list(channels))
        self.activations: Dict[str, torch.Tensor] = {}
        self.record = True
        self._handles: list = []

    # ----------------------------------------------------------- building
    def _build_gates(self, channels: List[int]) -> None:
        if len(channels) != len(self.positions):
            raise ValueError(f'NADGates: {len(self.positions)} positions but '
                             f'{len(channels)} channel counts')
        self.gates = nn.ModuleList(
            ChannelGate(int(c), mode=self._mode) for c in channels)

    def _probe(self, model: nn.Module, modules: Dict[str,
                                                     nn.Module]) -> List[int]:
        """Output channels of the positions, from one stopped forward."""
        seen: Dict[str, int] = {}

        def _make(name: str):

            def _record(module, args, output):
                if not torch.is_tensor(output) or output.ndim < 2:
                    raise TypeError(
                        f'NADGates: module {name!r} outputs '
                        f'{type(output).__name__}, not a (N, C, ...) tensor')
                seen.setdefault(name, int(output.shape[1]))
                if len(seen) == len(self.positions):
                    raise _ProbeDone

            return _record

        handles = [
            modules[name].register_forward_hook(_make(name))
            for name in self.positions
        ]
        param = next(model.parameters(), None)
        device = param.device if param is not None else torch.device('cpu')
        dtype = param.dtype if param is not None else torch.float32
        probe = torch.zeros(1,
                            self.probe_channels,
                            self.probe_size,
                            self.probe_size,
                            device=device,
                            dtype=dtype)
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                classifier_logits(model, probe)
        except _ProbeDone:
            pass
        finally:
            for handle in handles:
                handle.remove()
            model.train(was_training)
        missing = [name for name in self.positions if name not in seen]
        if missing:
            raise RuntimeError(
                f'NADGates: modules {missing} did not run in a forward pass '
                f'of a {self.probe_size} px image')
        return [seen[name] for name in self.positions]

    def attach(self, model: nn.Module) -> 'NADGates':
        """Hook the gates onto ``model`` (probing channels if needed).

        Args:
            model (nn.Module): The network, e.g. an ``ImageClassifier``.

        Returns:
            NADGates: self.
        """
        if self._handles:
            raise RuntimeError('NADGates: already attached; detach() first')
        modules = dict(model.named_modules())
        _check_names(self.positions, modules)
        if len(self.gates) == 0:
            self._build_gates(self._probe(model, modules))
        param = next(model.parameters(), None)
        if param is not None:
            self.to(param.device)
        self._handles = [
            modules[name].register_forward_hook(self._make_hook(i))
            for i, name in enumerate(self.positions)
        ]
        return self

    def detach(self) -> None:
        """Remove the hooks; the model is the original one again."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.activations = {}

    def _make_hook(self, index: int):
        name, gate = self.positions[index], self.gates[index]

        def _gate_output(module, args, output):
            if not torch.is_tensor(output):
                raise TypeError(f'NADGates: module {name!r} outputs '
                                f'{type(output).__name__}, not a tensor')
            if output.ndim < 2 or output.shape[1] != gate.channels:
                raise ValueError(
                    f'NADGates: module {name!r} output has shape '
                    f'{tuple(output.shape)} but its gate has {gate.channels} '
                    'channels (is the module called more than once?)')
            gated = gate(output)
            if self.record:
                self.activations[name] = gated
            return gated

        return _gate_output

    # -------------------------------------------------------------- state
    @property
    def mode(self) -> str:
        """The mode of every gate (``'search'``, ``'binary'``, ``'off'``)."""
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        for gate in self.gates:
            gate.mode = value
        self._mode = value

    def masks(self) -> List[nn.Parameter]:
        """The gate parameters m, in position order."""
        return [gate.mask for gate in self.gates]

    def mask_state(self) -> Dict[str, torch.Tensor]:
        """Position name -> a CPU copy of m, shape (1, C, 1, 1)."""
        return {
            name: gate.mask.detach().cpu().clone()
            for name, gate in zip(self.positions, self.gates)
        }

    def load_mask_state(self, state: Dict[str, torch.Tensor]) -> None:
        """Load m of every position (names and shapes must match)."""
        if set(state) != set(self.positions):
            raise KeyError(
                'NADGates: mask state positions differ: missing '
                f'{sorted(set(self.positions) - set(state))}, unexpected '
                f'{sorted(set(state) - set(self.positions))}')
        with torch.no_grad():
            for name, gate in zip(self.positions, self.gates):
                value = state[name]
                if tuple(value.shape) != tuple(gate.mask.shape):
                    raise ValueError(f'NADGates: mask of {name!r} has shape '
                                     f'{tuple(value.shape)}, the gate '
                                     f'{tuple(gate.mask.shape)}')
                gate.mask.copy_(value.to(gate.mask))

    def reset(self, generator: Optional[torch.Generator] = None) -> None:
        """Redraw every m from N(0, 1), in position order."""
        for gate in self.gates:
            gate.reset(generator)

    def open_channels(self) -> List[torch.Tensor]:
        """The binary path: one (C,) bool tensor per position."""
        return [gate.open_channels().cpu() for gate in self.gates]

    def open_fraction(self) -> float:
        """Open channels over all gated channels."""
        paths = self.open_channels()
        total = sum(p.numel() for p in paths)
        return float(sum(int(p.sum()) for p in paths)) / max(total, 1)
