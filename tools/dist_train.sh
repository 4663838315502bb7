#!/usr/bin/env bash
# Distributed training with torchrun:
#   tools/dist_train.sh CONFIG NUM_PROCS [train.py args]
set -euo pipefail
exec bash "$(dirname "$0")/_torchrun.sh" train.py "$2" "$1" "${@:3}"
