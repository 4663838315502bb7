#!/usr/bin/env bash
# Create (or check) the project's virtual environment: torch, mmcv with its
# compiled ops, the three OpenMMLab toolboxes and this project (editable).
#
# Idempotent: when every requirement file is unchanged since the last good run
# and the final import check passes, it finishes in seconds.
#
# Environment variables:
#   VENV            virtual environment folder (default: <repo>/.venv)
#   PYTHON          interpreter that creates it (default: python3.11, else python3)
#   WHEEL_CACHE     where the built mmcv wheel is kept
#                   (default: ${XDG_CACHE_HOME:-~/.cache}/mm-paper-plugins/wheels)
#   MAX_JOBS        parallel compile jobs for mmcv (default: 2)
#   FORCE_CUDA      1/0 to force the CUDA ops on or off (default: on only when
#                   nvcc is present and a GPU answers to nvidia-smi)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
WHEEL_CACHE="${WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mm-paper-plugins/wheels}"
MMCV_VERSION="2.1.0"
STEP="start"

say() { printf '[setup_env] %s\n' "$*"; }
fail() { printf '[setup_env] FAILED at step "%s": %s\n' "$STEP" "$*" >&2; exit 1; }
trap 'rc=$?; [ $rc -eq 0 ] || printf "[setup_env] FAILED at step \"%s\" (exit %s); the output above says why.\n" "$STEP" "$rc" >&2' EXIT

requirement_hash() {
    # the C++ sources too: a change to them rebuilds the project's kernels
    cat "$ROOT"/requirements/*.txt "$ROOT/setup.py" "$ROOT/tools/setup_env.sh" \
        "$ROOT"/projects/*/csrc/*.cpp | sha256sum | cut -d' ' -f1
}

verify() {
    "$VENV/bin/python" - <<'EOF'
import importlib
import warnings

warnings.filterwarnings('ignore')
import pkg_resources  # noqa: F401  mmengine resolves mmdet:: bases with it
from mmcv.ops import nms  # noqa: F401  compiled ops are present
for name in ('mmengine', 'mmdet', 'mmseg', 'mmpretrain', 'projects'):
    importlib.import_module(name)
import mmdet.models  # noqa: F401
import mmpretrain.models  # noqa: F401
import mmseg.models  # noqa: F401
import projects.acfd._abifpn_ops  # noqa: F401  the project's CPU kernels
import projects.sematree._deform_sampling  # noqa: F401
EOF
}

STAMP="$VENV/.mm-paper-plugins-stamp"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(requirement_hash)" ]; then
    STEP="verify"
    if verify; then
        say "environment at $VENV is up to date"
        exit 0
    fi
    say "environment at $VENV failed its import check; repairing"
fi

STEP="virtual environment"
if [ ! -x "$VENV/bin/python" ]; then
    PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
    [ -n "$PYTHON" ] || fail "no python3 interpreter found"
    "$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
        || fail "$PYTHON is not Python 3.11 (the torch 2.14.1 wheels this project pins are for 3.11)"
    say "creating virtual environment $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)
# torch 2.14 asks for setuptools>=77.0.3 and pip would upgrade it past 81;
# mmcv's setup.py and mmengine's config bases need pkg_resources (<82).
KEEP_SETUPTOOLS="$(mktemp)"
printf 'setuptools<82\n' > "$KEEP_SETUPTOOLS"

STEP="build tools"
say "installing build tools (setuptools<82, wheel, ninja)"
"${PIP[@]}" install -q --upgrade pip >/dev/null
"${PIP[@]}" install -q -r "$ROOT/requirements/build.txt"

STEP="torch"
if "$PY" -c 'import torch, torchvision, sys; sys.exit(not (torch.__version__.startswith("2.14.1") and torchvision.__version__.startswith("0.29.1")))' 2>/dev/null; then
    say "torch 2.14.1 + torchvision 0.29.1 already installed"
else
    say "installing torch 2.14.1 + torchvision 0.29.1 (several GB; taken from the local disk where pip has it)"
    "${PIP[@]}" install -q -r "$ROOT/requirements/torch.txt" -c "$KEEP_SETUPTOOLS"
fi

STEP="mmcv"
if "$PY" -c "import mmcv, sys; from mmcv.ops import nms; sys.exit(mmcv.__version__ != '$MMCV_VERSION')" 2>/dev/null; then
    say "mmcv $MMCV_VERSION with compiled ops already installed"
else
    mkdir -p "$WHEEL_CACHE"
    TORCH_TAG="$("$PY" -c 'import torch; print(torch.__version__.replace("+", "_"))')"
    if [ -z "${FORCE_CUDA:-}" ]; then
        if command -v nvcc >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
            FORCE_CUDA=1
        else
            FORCE_CUDA=0
        fi
    fi
    WHEEL_DIR="$WHEEL_CACHE/mmcv-$MMCV_VERSION-torch$TORCH_TAG-cuda$FORCE_CUDA"
    WHEEL="$(ls "$WHEEL_DIR"/mmcv-"$MMCV_VERSION"-*.whl 2>/dev/null | head -n 1 || true)"
    if [ -z "$WHEEL" ]; then
        say "building mmcv $MMCV_VERSION from its sdist (ops on, FORCE_CUDA=$FORCE_CUDA; about 10 minutes on 2 cores)"
        BUILD_DIR="$(mktemp -d)"
        "${PIP[@]}" download -q --no-deps --no-build-isolation --no-binary :all: "mmcv==$MMCV_VERSION" -d "$BUILD_DIR"
        tar -xzf "$BUILD_DIR"/mmcv-"$MMCV_VERSION".tar.gz -C "$BUILD_DIR"
        SRC="$BUILD_DIR/mmcv-$MMCV_VERSION"
        # torch >= 2.14 headers require C++20; mmcv 2.1.0 asks for C++17.
        if grep -q 'C++20' "$("$PY" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "include/c10/macros/Macros.h"))')" 2>/dev/null \
            || "$PY" -c 'import torch, sys; v = tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2]); sys.exit(v < (2, 14))'; then
            sed -i 's/-std=c++17/-std=c++20/g' "$SRC/setup.py"
            say "patched mmcv setup.py for C++20 (required by the installed torch headers)"
        fi
        (cd "$SRC" && MMCV_WITH_OPS=1 FORCE_CUDA="$FORCE_CUDA" MAX_JOBS="${MAX_JOBS:-2}" \
            "${PIP[@]}" wheel -q --no-build-isolation --no-deps . -w "$WHEEL_DIR") \
            || fail "mmcv build failed (see the compiler output above)"
        rm -rf "$BUILD_DIR"
        WHEEL="$(ls "$WHEEL_DIR"/mmcv-"$MMCV_VERSION"-*.whl | head -n 1)"
        say "cached the mmcv wheel at $WHEEL"
    else
        say "installing cached mmcv wheel $WHEEL"
    fi
    "${PIP[@]}" install -q --no-deps --force-reinstall "$WHEEL"
    # mmcv's own runtime requirements (addict, yapf, ...), without touching torch.
    "${PIP[@]}" install -q addict packaging Pillow pyyaml yapf opencv-python'<5' mmengine==0.10.7 \
        -c "$KEEP_SETUPTOOLS"
    "$PY" -c 'from mmcv.ops import nms' || fail "mmcv installed but its compiled ops do not import"
fi

STEP="toolboxes"
# opencv-python and opencv-python-headless share the cv2 folder: keep one.
if "${PIP[@]}" show -q opencv-python-headless >/dev/null 2>&1; then
    say "replacing opencv-python-headless with opencv-python<5 (what mmcv and mmengine require)"
    "${PIP[@]}" uninstall -q -y opencv-python-headless opencv-python
fi
say "installing mmengine, mmdet, mmsegmentation, mmpretrain and test tools"
"${PIP[@]}" install -q -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt" \
    -c <(printf 'torch==2.14.1\ntorchvision==0.29.1\nmmcv==%s\nsetuptools<82\n' "$MMCV_VERSION")
# mmpretrain's extra import-time dependencies (see docs): not declared by its wheel.
"${PIP[@]}" install -q einops modelindex mat4py rich importlib-metadata -c "$KEEP_SETUPTOOLS"
"${PIP[@]}" uninstall -q -y transformers 2>/dev/null || true

STEP="project"
say "installing this project (editable; compiles its C++ CPU kernels, about 90 s)"
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$ROOT"

STEP="verify"
say "checking imports (mmcv.ops, mmdet, mmseg, mmpretrain, projects)"
verify || fail "the import check failed"
requirement_hash > "$STAMP"
say "environment ready: $VENV"
