# Sourced by .ci/setup: headless Chromium (Debian package `chromium`), which
# tests/capacity_html.rs uses to render the `mlc capacity --html` report, take a screenshot and
# read the DOM back. Installed from Debian only when root.
if command -v chromium >/dev/null 2>&1; then
    echo "   chromium is on PATH"
elif ! mlc_apt chromium --for "tests/capacity_html.rs"; then
    mlc_setup_skip "chromium" "not on PATH (tests/capacity_html.rs is skipped)"
fi
