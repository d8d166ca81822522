#!/usr/bin/env bash
# Installs numpy and pyarrow in a virtual environment beside this script, builds crimesim
# in release mode, and runs compare.py with the given arguments (none: the statistical
# check against `crimesim run`; --speed: the timing against `crimesim bench`).
# short2008.py reads scenarios with tomllib: Python 3.11 or later (see ../venv.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../venv.sh"
peer_run 11 short2008.py "$here/compare.py" "$@"
