# Sourced by each peer's run.sh: `peer_run MINOR WHY SCRIPT [ARGS...]` makes a virtual
# environment beside the calling script (VENV if given) from its requirements.txt, with
# PYTHON if given, else the first python3.x (x >= MINOR) on PATH that runs, else the
# newest such pyenv has; builds crimesim in release mode (honouring CARGO_TARGET_DIR);
# and runs SCRIPT with `--crimesim PATH` and ARGS. WHY says who needs that Python.
peer_find_python() {
    local minor=$1 why=$2 p v
    for p in python3 python3.1{1..4}; do
        if "$p" -c "import sys; sys.exit(sys.version_info < (3, $minor))" 2>/dev/null; then
            command -v "$p"
            return
        fi
    done
    if command -v pyenv >/dev/null; then
        for v in $(pyenv versions --bare | sort -rV); do
            if [ "${v%%.*}" = 3 ] && [ "$(echo "$v" | cut -d. -f2)" -ge "$minor" ] 2>/dev/null; then
                echo "$(pyenv root)/versions/$v/bin/python"
                return
            fi
        done
    fi
    echo "$why needs Python 3.$minor or later: set PYTHON=/path/to/python3.$minor" >&2
    return 1
}

peer_run() {
    local minor=$1 why=$2 script=$3
    shift 3
    local here root python venv target
    here=$(cd "$(dirname "$script")" && pwd)
    root=$(cd "$here/../../.." && pwd)
    python=${PYTHON:-$(peer_find_python "$minor" "$why")}
    venv=${VENV:-$here/.venv}
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv"
        "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
    fi
    target=${CARGO_TARGET_DIR:-$root/target}
    (cd "$root" && cargo build --release --quiet)
    exec "$venv/bin/python" "$script" --crimesim "$target/release/crimesim" "$@"
}
