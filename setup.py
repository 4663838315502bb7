# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Installs the ``projects`` package (the plugins) and its requirements."""
import os.path as osp
import re

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def get_version() -> str:
    """Read ``__version__`` from ``projects/version.py`` without importing."""
    with open(osp.join(HERE, 'projects', 'version.py'), encoding='utf-8') as f:
        match = re.search(r"^__version__ = '([^']+)'", f.read(), re.M)
    if match is None:
        raise RuntimeError('projects/version.py has no __version__ line')
    return match.group(1)


def parse_requirements(name: str) -> list:
    """Requirement lines of ``requirements/<name>.txt`` without comments."""
    path = osp.join(HERE, 'requirements', f'{name}.txt')
    with open(path, encoding='utf-8') as f:
        lines = (line.split('#', 1)[0].strip() for line in f)
        return [line for line in lines if line]


if __name__ == '__main__':
    setup(
        name='mm-paper-plugins',
        version=get_version(),
        description='OpenMMLab plugins for ten computer-vision papers '
        '(ACFD, ASFD, CurricularFace, DDL, DGD, SemaTree, MANet, NAD, '
        'DeepMPV+, ARFlow)',
        long_description=open(osp.join(HERE, 'README.md'),
                              encoding='utf-8').read()
        if osp.exists(osp.join(HERE, 'README.md')) else '',
        long_description_content_type='text/markdown',
        python_requires='>=3.8',
        packages=find_packages(include=['projects', 'projects.*']),
        include_package_data=True,
        install_requires=parse_requirements('runtime'),
        extras_require={
            'tests': parse_requirements('tests'),
            'mim': parse_requirements('mminstall'),
            'build': parse_requirements('build'),
        },
        license='Apache License 2.0',
        zip_safe=False,
    )
