#!/usr/bin/env bash
# Installs Mesa 3.5.1 (with networkx and pyarrow) in a virtual environment beside this
# script, builds crimesim in release mode, and runs compare.py with the given arguments
# (none: the agreement check; --speed: the timing). Mesa 3.5.1 needs Python 3.12 or
# later (see ../venv.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../venv.sh"
peer_run 12 "Mesa 3.5.1" "$here/compare.py" "$@"
