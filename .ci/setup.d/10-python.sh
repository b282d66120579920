# Sourced by .ci/setup: the Python tools the tests use, in the virtual environment
# .cache/venv inside the repository (never the system Python, never `pip install --user`).
# Installs .ci/requirements.txt and every server/tests/python/requirements*.txt; reinstalls
# only when those files change. Puts .cache/venv/bin first on PATH, so tests run `python3`.
mlc_venv="$root/.cache/venv"
mlc_python_setup() {
    local reqs=("$root/.ci/requirements.txt") stamp want args=()
    for f in "$root"/server/tests/python/requirements*.txt; do
        [ -f "$f" ] && reqs+=("$f")
    done
    if ! command -v python3 >/dev/null 2>&1; then
        mlc_apt python3 python3-venv --for "the Python test tools" || return 1
    fi
    if [ ! -x "$mlc_venv/bin/python3" ]; then
        echo "   creating the virtual environment .cache/venv with $(command -v python3) ($(python3 --version 2>&1))"
        if ! python3 -m venv "$mlc_venv" >/dev/null 2>&1; then
            rm -rf "$mlc_venv"
            echo "   python3 -m venv failed (Debian: the python3-venv package provides it)"
            mlc_apt python3-venv --for "the Python test tools' virtual environment" || return 1
            python3 -m venv "$mlc_venv" || return 1
        fi
    fi
    want=$({ "$mlc_venv/bin/python3" --version; cat "${reqs[@]}"; } 2>&1 | sha256sum | cut -c1-16)
    stamp="$mlc_venv/.mlc-requirements"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        for f in "${reqs[@]}"; do args+=(--requirement "$f"); done
        echo "   pip install into .cache/venv: ${reqs[*]#"$root"/} (first time: about a minute)"
        "$mlc_venv/bin/python3" -m pip install --quiet --disable-pip-version-check \
            --no-warn-script-location "${args[@]}" || return 1
        echo "$want" >"$stamp"
    else
        echo "   .cache/venv is up to date with ${reqs[*]#"$root"/}"
    fi
}
if mlc_python_setup; then
    export VIRTUAL_ENV="$mlc_venv"
    export PATH="$mlc_venv/bin:$PATH"
else
    mlc_setup_skip "Python test tools" "no virtual environment with .ci/requirements.txt (tests using onnxruntime, tritonclient, check.py, pre-commit are skipped)"
fi
unset -f mlc_python_setup
unset mlc_venv
