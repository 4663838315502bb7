#!/usr/bin/env bash
# Shared torchrun launcher of dist_train.sh and dist_test.sh:
#   _torchrun.sh SCRIPT NUM_PROCS [script args]
# NNODES, NODE_RANK, PORT, MASTER_ADDR and PYTHON (default: .venv/bin/python,
# else python) change the defaults. On a
# machine without CUDA the processes run on the CPU with the gloo backend.
set -euo pipefail
SCRIPT=$1
NPROC=$2
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# The project's environment when it exists (make setup), else the caller's.
if [ -z "${PYTHON:-}" ] && [ -x "$ROOT/.venv/bin/python" ]; then
    PYTHON="$ROOT/.venv/bin/python"
fi

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$NPROC" \
    --master_port="${PORT:-29500}" \
    "$ROOT/tools/$SCRIPT" \
    "${@:3}" \
    --launcher pytorch
