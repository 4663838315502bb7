# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The face dataset base configs name registered datasets and metrics."""
import pytest
from mmengine.config import Config

import projects.facedet  # noqa: F401


@pytest.mark.parametrize('name,dataset,metric', [
    ('widerface_txt', 'WiderFaceTxtDataset', 'WiderFaceMetric'),
    ('icartoonface', 'ICartoonFaceDataset', 'ICartoonFaceMetric'),
    ('fddb', 'FDDBDataset', 'FDDBMetric'),
])
def test_base_config(repo_root, name, dataset, metric):
    from mmdet.registry import DATASETS, METRICS
    cfg = Config.fromfile(
        str(repo_root / 'configs' / '_base_' / 'datasets' / f'{name}.py'))
    test_set = cfg.test_dataloader.dataset
    sets = test_set.get('datasets', [test_set])
    assert {s.type for s in sets} == {dataset}
    assert cfg.test_evaluator.type == metric
    assert DATASETS.get(dataset) is not None
    assert METRICS.get(metric) is not None
    # Ground truth stays in the original frame: annotations load after
    # the resize in the test pipeline.
    steps = [t['type'] for t in sets[0].pipeline]
    assert steps.index('LoadAnnotations') > steps.index('Resize')
