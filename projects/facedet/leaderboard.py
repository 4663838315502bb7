# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Leaderboard rows: the metrics a run wrote, with its size and cost."""
import glob
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.config import Config


def model_complexity(model: torch.nn.Module,
                     input_hw: Tuple[int, int]) -> Tuple[float, float]:
    """Parameters (millions) and GFLOPs of one forward at ``input_hw``.

    Detectors run in mmdet's ``tensor`` mode (backbone, neck and head, no
    post-processing), as mmdet's ``get_flops`` tool does. The counts are
    mmengine's :class:`~mmengine.analysis.FlopAnalyzer` (one multiply-add
    per FLOP; convolutions, matrix products, normalisations, upsampling);
    its warnings about the element-wise operators it does not count are
    switched off, so that they do not bury the results they precede.
    """
    # on the model's device: the analyzer does not move inputs
    device = next(model.parameters()).device
    inputs = torch.zeros(1, 3, *input_hw, device=device)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        flops = FlopAnalyzer(model, inputs).unsupported_ops_warnings(
            False).uncalled_modules_warnings(False).total()
    model.train(was_training)
    return parameter_count(model)[''] / 1e6, flops / 1e9


def _metric_records(work_dir: str) -> List[dict]:
    """Every metric record mmengine wrote under ``work_dir``, oldest
    first: run by run (mmengine's timestamped folders), each run's
    validation scalars before its test results."""
    records = []
    for run in sorted(glob.glob(osp.join(work_dir, '*', ''))):
        scalars = osp.join(run, 'vis_data', 'scalars.json')
        if osp.isfile(scalars):
            with open(scalars) as f:
                records += [json.loads(line) for line in f if line.strip()]
        for path in sorted(glob.glob(osp.join(run, '*.json'))):
            with open(path) as f:
                records.append(json.load(f))
    return [r for r in records if any('/' in k for k in r)]


def latest_metrics(work_dir: str) -> Dict[str, float]:
    """The last evaluation metrics of a run (keys like ``prefix/name``)."""
    records = _metric_records(work_dir)
    if not records:
        raise FileNotFoundError(f'{work_dir}: no evaluation metrics found '
                                '(run tools/test.py or validate first)')
    return {k: float(v) for k, v in records[-1].items() if '/' in k}


def run_config(work_dir: str) -> Optional[str]:
    """The config mmengine dumped into the work dir, if any."""
    configs = sorted(glob.glob(osp.join(work_dir, '*.py')))
    return configs[0] if configs else None


def leaderboard_row(name: str,
                    metrics: Dict[str, float],
                    model: Optional[torch.nn.Module] = None,
                    input_hw: Tuple[int, int] = (1080, 1920)) -> dict:
    """One row: name, metrics, and params/GFLOPs when a model is given."""
    row = dict(name=name, **metrics)
    if model is not None:
        row['params (M)'], row[f'GFLOPs@{input_hw[1]}x{input_hw[0]}'] = \
            model_complexity(model, input_hw)
    return row


def format_markdown(rows: Sequence[dict],
                    sort_key: Optional[str] = None) -> str:
    """A Markdown table of ``rows``, best first by ``sort_key``."""
    if sort_key is not None:
        rows = sorted(
            rows, key=lambda r: r.get(sort_key, float('-inf')), reverse=True)
    columns: List[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    lines = ['| ' + ' | '.join(columns) + ' |',
             '| ' + ' | '.join('---' for _ in columns) + ' |']
    for row in rows:
        cells = []
        for col in columns:
            value = row.get(col, '')
            cells.append(f'{value:.4f}' if isinstance(value, float) else
                         str(value))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def build_from_work_dir(work_dir: str) -> Optional[torch.nn.Module]:
    """Build the (untrained) model of a run from its dumped config."""
    config = run_config(work_dir)
    if config is None:
        return None
    from mmengine.registry import DefaultScope, MODELS
    cfg = Config.fromfile(config)
    scope = cfg.get('default_scope', 'mmengine')
    with DefaultScope.overwrite_default_scope(scope):
        return MODELS.build(cfg.model)
