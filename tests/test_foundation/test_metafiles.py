# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""model-index.yml imports every paper's metafile, and each metafile lists
exactly the configs of its folder (as OpenMMLab's model index expects)."""
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PAPERS = sorted(p for p in (REPO / 'configs').iterdir()
                if (p / 'metafile.yml').is_file())


def test_model_index_imports_every_metafile():
    index = yaml.safe_load((REPO / 'model-index.yml').read_text())
    assert sorted(index['Import']) == [
        f'configs/{p.name}/metafile.yml' for p in PAPERS
    ]


@pytest.mark.parametrize('paper', PAPERS, ids=lambda p: p.name)
def test_metafile_lists_each_config_of_its_folder_once(paper):
    meta = yaml.safe_load((paper / 'metafile.yml').read_text())
    listed = [m['Config'] for m in meta['Models']]
    on_disk = sorted(f'configs/{paper.name}/{p.name}'
                     for p in paper.glob('*.py'))
    assert sorted(listed) == on_disk
    names = [m['Name'] for m in meta['Models']]
    assert len(names) == len(set(names))
    collections = {c['Name'] for c in meta['Collections']}
    assert all(m['In Collection'] in collections for m in meta['Models'])
