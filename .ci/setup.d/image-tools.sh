# Sourced by .ci/run (bash, set -euo pipefail): installs the tools the OCI image test
# (tests/image_oci.rs) uses to check and unpack the layout `mlc image build` writes: `skopeo` and
# `umoci`, from Debian. Idempotent and quiet: nothing happens when both are on PATH.
if ! command -v skopeo >/dev/null 2>&1 || ! command -v umoci >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "image-tools.sh: skopeo and umoci are missing and cannot be installed here (needs root and apt-get)" >&2
        return 1
    fi
    mlc_apt_log=$(mktemp)
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends skopeo umoci; } \
        >"$mlc_apt_log" 2>&1; then
        cat "$mlc_apt_log" >&2
        rm -f "$mlc_apt_log"
        echo "image-tools.sh: could not install skopeo and umoci with apt-get" >&2
        return 1
    fi
    rm -f "$mlc_apt_log"
    unset mlc_apt_log
fi
