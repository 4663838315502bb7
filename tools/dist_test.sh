#!/usr/bin/env bash
# Distributed testing with torchrun:
#   tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py args]
set -euo pipefail
exec bash "$(dirname "$0")/_torchrun.sh" test.py "$3" "$1" "$2" "${@:4}"
