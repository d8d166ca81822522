#!/usr/bin/env bash
# Installs Mesa 3.5.1 (with networkx and pyarrow) in a virtual environment beside this
# script, builds crimesim in release mode, and runs compare.py with the given arguments
# (none: the agreement check; --speed: the timing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
python=${PYTHON:-/root/.pyenv/versions/3.12.1/bin/python}
venv=${VENV:-$here/.venv}
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
target=${CARGO_TARGET_DIR:-$root/target}
(cd "$root" && cargo build --release --quiet)
exec "$venv/bin/python" "$here/compare.py" --crimesim "$target/release/crimesim" "$@"
