# Sourced by .ci/run (bash, set -euo pipefail): installs the tools the OCI image test uses to check
# and unpack the layout `mlc image build` writes (tests/image_oci.rs): `skopeo` and `umoci`, from
# Debian. Idempotent and quiet: nothing happens when both are on PATH.
if ! command -v skopeo >/dev/null 2>&1 || ! command -v umoci >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "image-tools.sh: skopeo and umoci are missing and cannot be installed here (needs root and apt-get)" >&2
        return 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends skopeo umoci >/dev/null
fi
