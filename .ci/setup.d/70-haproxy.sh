# Sourced by .ci/setup: HAProxy (Debian package `haproxy`), the real reverse proxy that
# tests/traffic_split.rs configures from the emitted VirtualService / HTTPRoute and sends
# requests through to two mlc-serve variants. Installed from Debian only when root.
if command -v haproxy >/dev/null 2>&1; then
    echo "   haproxy is on PATH"
elif ! mlc_apt haproxy --for "tests/traffic_split.rs"; then
    mlc_setup_skip "haproxy" "not on PATH (tests/traffic_split.rs is skipped)"
fi
