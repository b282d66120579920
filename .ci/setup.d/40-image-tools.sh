# Sourced by .ci/setup: `skopeo` and `umoci`, which tests/image_oci.rs uses to check and unpack
# the OCI layout `mlc image build` writes. Installed from Debian only when root.
if command -v skopeo >/dev/null 2>&1 && command -v umoci >/dev/null 2>&1; then
    echo "   skopeo and umoci are on PATH"
elif ! mlc_apt skopeo umoci --for "tests/image_oci.rs"; then
    mlc_setup_skip "skopeo and umoci" "not on PATH (tests/image_oci.rs is skipped)"
fi
