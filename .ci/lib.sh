# Sourced by .ci/run and the scripts it runs: small helpers that keep setup honest.
#
# - mlc_step NAME CMD...: runs CMD with a "== NAME" line before it and its time after it.
# - mlc_apt PACKAGE... --for WHAT: installs Debian packages only when running as root with
#   apt-get, under an "installing X (needed by Y)" line; otherwise says why not and returns 1.
# - mlc_setup_skip WHAT WHY: records that a setup step could not provide WHAT; under CI=true that
#   is an error (nothing may be skipped there), elsewhere the dependent tests skip and are counted.
#
# Tests record their own skips in $MLC_SKIP_LOG (see tests/support/skip.rs); .ci/run prints the
# summary of both at the end.

mlc_in_ci() { [ "${CI:-}" = true ]; }

mlc_now_ms() { date +%s%3N; }

mlc_step() {
    local name=$1 start status=0
    shift
    echo "== $name"
    start=$(mlc_now_ms)
    "$@" || status=$?
    echo "   ($name: $(( ($(mlc_now_ms) - start) ))ms, exit $status)"
    return "$status"
}

mlc_apt() {
    local packages=() purpose="" log
    while [ $# -gt 0 ]; do
        case $1 in
            --for) purpose=$2; shift 2 ;;
            *) packages+=("$1"); shift ;;
        esac
    done
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "   not installing ${packages[*]} (needed by $purpose): that needs root and apt-get"
        return 1
    fi
    echo "   installing ${packages[*]} with apt-get (needed by $purpose)"
    log=$(mktemp)
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"; } \
        >"$log" 2>&1; then
        sed 's/^/   | /' "$log" | tail -20
        rm -f "$log"
        echo "   apt-get could not install ${packages[*]}"
        return 1
    fi
    rm -f "$log"
}

mlc_setup_skip() {
    local what=$1 why=$2
    echo "   SKIP: $what: $why"
    printf 'setup\t%s\t%s\n' "$what" "$why" >>"$MLC_SKIP_LOG"
    if mlc_in_ci; then
        echo "   CI=true: nothing may be skipped, stopping"
        exit 1
    fi
}
