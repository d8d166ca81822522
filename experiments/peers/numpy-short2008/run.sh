#!/usr/bin/env bash
# Installs numpy and pyarrow in a virtual environment beside this script, builds crimesim
# in release mode, and runs compare.py with the given arguments (none: the statistical
# check against `crimesim run`; --speed: the timing against `crimesim bench`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# short2008.py reads scenarios with tomllib: Python 3.11 or later. PYTHON if given, else
# the first such python3.x on PATH that runs, else the newest pyenv has.
find_python() {
    for p in python3 python3.11 python3.12 python3.13 python3.14; do
        if "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$p"
            return
        fi
    done
    if command -v pyenv >/dev/null; then
        for v in $(pyenv versions --bare | sort -rV); do
            case $v in 3.1[1-9]*) echo "$(pyenv root)/versions/$v/bin/python"; return ;; esac
        done
    fi
    echo "short2008.py needs Python 3.11 or later: set PYTHON=/path/to/python3.11" >&2
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
