#!/usr/bin/env bash
# Installs Mesa 3.5.1 (with networkx and pyarrow) in a virtual environment beside this
# script, builds crimesim in release mode, and runs compare.py with the given arguments
# (none: the agreement check; --speed: the timing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# Mesa 3.5.1 needs Python 3.12 or later: PYTHON if given, else the newest such
# python3.x on PATH that runs, else the newest pyenv has.
find_python() {
    for p in python3.12 python3.13 python3.14; do
        if "$p" -c '' 2>/dev/null; then
            command -v "$p"
            return
        fi
    done
    if command -v pyenv >/dev/null; then
        for v in $(pyenv versions --bare | sort -rV); do
            case $v in 3.1[2-9]*) echo "$(pyenv root)/versions/$v/bin/python"; return ;; esac
        done
    fi
    echo "Mesa 3.5.1 needs Python 3.12 or later: set PYTHON=/path/to/python3.12" >&2
    return 1
}
python=${PYTHON:-$(find_python)}
venv=${VENV:-$here/.venv}
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
target=${CARGO_TARGET_DIR:-$root/target}
(cd "$root" && cargo build --release --quiet)
exec "$venv/bin/python" "$here/compare.py" --crimesim "$target/release/crimesim" "$@"
