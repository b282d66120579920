#!/usr/bin/env bash
# Run by .ci/run after `cargo test`: the real pre-commit (PyPI) runs this repository's hooks
# (.pre-commit-hooks.yaml) with `try-repo` on the sample projects in tests/pre-commit/, each
# copied into a fresh git repository:
#   mlc-check        on clean/   passes
#   mlc-check        on broken/  fails, and its output shows the diagnostic (E0203)
#   mlc-build-check  on clean/   passes once manifests/ is built, fails after a .kdl edit, and
#                                fails on a staged hand edit of a file under manifests/ alone
# try-repo uses the committed HEAD of this repository (`--ref`), so it tests what is committed.
# `language: rust` installs mlc with `cargo install --bins --path .` (a release build) once per
# commit into pre-commit's cache (~/.cache/pre-commit, or PRE_COMMIT_HOME); CARGO_TARGET_DIR
# is shared across runs so that only mlc itself is recompiled.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

# shellcheck source=.ci/lib.sh
source .ci/lib.sh
if ! python3 -m pre_commit --version >/dev/null 2>&1; then
    # pre-commit comes from .ci/requirements.txt, installed into .cache/venv by .ci/setup.
    printf 'test\tpre-commit.sh\t%s\n' "pre-commit is not importable (source .ci/setup)" >>"${MLC_SKIP_LOG:-/dev/null}"
    echo "SKIPPED pre-commit.sh: pre-commit is not importable (source .ci/setup installs it)"
    mlc_in_ci && exit 1
    exit 0
fi
python3 -m pre_commit --version

export CARGO_TARGET_DIR="${MLC_PRE_COMMIT_TARGET_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/mlc/pre-commit-target}"
export CARGO_TERM_COLOR=never
# The sample repositories need commits whatever git's global configuration says.
export GIT_AUTHOR_NAME=mlc-ci GIT_AUTHOR_EMAIL=ci@mlc.invalid
export GIT_COMMITTER_NAME=mlc-ci GIT_COMMITTER_EMAIL=ci@mlc.invalid
export GIT_CONFIG_NOSYSTEM=1

ref=$(git -C "$root" rev-parse HEAD)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0

# sample NAME: a git repository in $work holding a copy of tests/pre-commit/NAME, committed.
sample() {
    local dir="$work/$1"
    cp -R "tests/pre-commit/$1" "$dir"
    git -C "$dir" -c init.defaultBranch=main init -q
    git -C "$dir" add -A
    git -C "$dir" commit -q -m "sample $1"
    echo "$dir"
}

# try DIR HOOK: runs HOOK (every hook when empty) with pre-commit try-repo in DIR; sets
# $status, $log and $took_ms.
try() {
    log="$work/$(basename "$1")-${2:-all}.log"
    local start end
    start=$(date +%s%N)
    status=0
    (cd "$1" && python3 -m pre_commit try-repo "$root" ${2:+"$2"} --ref "$ref" \
        --all-files --verbose --color never) >"$log" 2>&1 || status=$?
    end=$(date +%s%N)
    took_ms=$(((end - start) / 1000000))
}

# expect CASE pass|fail NEEDLE...: judges the last `try`; every NEEDLE must be in its output.
expect() {
    local case=$1 want=$2 ok=1 needle
    shift 2
    if [ "$want" = pass ] && [ "$status" -ne 0 ]; then ok=0; fi
    if [ "$want" = fail ] && [ "$status" -eq 0 ]; then ok=0; fi
    for needle in "$@"; do
        grep -qF -- "$needle" "$log" || ok=0
    done
    if [ "$ok" = 1 ]; then
        passed=$((passed + 1))
        echo "ok: $case (exit $status, pre-commit try-repo ${took_ms} ms)"
    else
        failed=$((failed + 1))
        echo "FAILED: $case: expected the hook to $want (exit $status) with output containing: $*"
        sed 's/^/    /' "$log"
    fi
}

# hook_duration ID: the hook's own run time in the last `try`, as pre-commit reports it
# (`- hook id: ID` then `- duration: 0.02s`).
hook_duration() {
    awk -v id="$1" '$0 == "- hook id: " id { found = 1 }
        found && /^- duration: / { print $3; exit }' "$log"
}

clean=$(sample clean)
broken=$(sample broken)

# try-repo installs the hooks into a temporary store on every run (a `cargo install` each,
# incremental thanks to the shared CARGO_TARGET_DIR), so the cases share three runs.
echo "pre-commit: installing the hooks at $ref (cargo install, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
try "$broken" mlc-check
expect "mlc-check fails on a broken .kdl file" fail "mlc check" "Failed" "error[E0203]" \
    "unknown pool \`h100\`" "models/fraud-score.kdl"

# The clean sample with manifests/ built by the binary that installation compiled (the
# committed HEAD) and committed: both hooks pass.
mlc="$CARGO_TARGET_DIR/release/mlc"
if [ -x "$mlc" ]; then
    (cd "$clean" && "$mlc" build --quiet && git add -A && git commit -q -m manifests)
else
    echo "the hook installation left no $mlc: mlc-build-check cannot pass"
fi
try "$clean" ""
expect "mlc-check passes on a clean project" pass "mlc check" "Passed"
durations="mlc-check $(hook_duration mlc-check), mlc-build-check $(hook_duration mlc-build-check)"
expect "mlc-build-check passes when manifests/ is up to date" pass "mlc build --check" "Passed"
if [ "$(grep -c 'Passed$' "$log")" -ne 2 ]; then
    failed=$((failed + 1))
    echo "FAILED: both hooks should pass (and none be skipped) on the clean sample"
    sed 's/^/    /' "$log"
fi

# Drift: a model edited without rebuilding.
sed -i 's/max=5/max=6/' "$clean/models/fraud-score.kdl"
try "$clean" mlc-build-check
expect "mlc-build-check fails when a .kdl edit is not rebuilt" fail "Failed" \
    "differ from what \`mlc build\` produces" "maxReplicas"

# A hand edit of the built tree, staged alone (no .kdl change): the hook must run, not skip.
git -C "$clean" checkout -q -- models/fraud-score.kdl
edited=$(cd "$clean" && grep -rl 'maxReplicas' manifests | sort | head -n 1)
sed -i 's/maxReplicas: 5/maxReplicas: 50/' "$clean/$edited"
git -C "$clean" add -- "$edited"
log="$work/clean-manifests-edit.log"
start=$(date +%s%N)
status=0
(cd "$clean" && python3 -m pre_commit try-repo "$root" mlc-build-check --ref "$ref" \
    --verbose --color never) >"$log" 2>&1 || status=$?
took_ms=$((($(date +%s%N) - start) / 1000000))
expect "mlc-build-check fails on a staged hand edit of manifests/ ($edited)" fail "Failed" \
    "differ from what \`mlc build\` produces" "maxReplicas"

echo "pre-commit: hook run times on the clean sample: $durations"
echo "pre-commit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
