# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Installs the ``projects`` package (the plugins) and its requirements."""
import os.path as osp
import re
import sys

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


def get_extensions() -> dict:
    """``setup()`` arguments of the optional C++ CPU kernels (ABi-FPN's
    fusion nodes, ``projects/acfd/csrc``; SemaTree's deformable-conv
    sampling, ``projects/sematree/csrc``): none without torch; a failed
    compile leaves the package on its PyTorch path, with a warning."""
    try:
        from torch.utils.cpp_extension import BuildExtension, CppExtension
    except ImportError:
        return {}

    class OptionalBuildExtension(BuildExtension):

        def build_extension(self, ext) -> None:
            try:
                super().build_extension(ext)
            except Exception as err:  # a missing or too old compiler
                print(f'WARNING: {ext.name} not built ({err}); ABiFPN runs '
                      'on its PyTorch path', file=sys.stderr)

    openmp = ['-fopenmp'] if sys.platform.startswith('linux') else []
    sources = {
        'projects.acfd._abifpn_ops': 'projects/acfd/csrc/abifpn_ops.cpp',
        'projects.sematree._deform_sampling':
        'projects/sematree/csrc/deform_sampling.cpp',
    }
    exts = [
        CppExtension(
            name, [source],
            # torch 2.14's headers need C++20
            extra_compile_args=['-O3', '-std=c++20'] + openmp,
            extra_link_args=openmp) for name, source in sources.items()
    ]
    return dict(ext_modules=exts,
                cmdclass={'build_ext': OptionalBuildExtension})


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
        **get_extensions(),
    )
