# Sourced by .ci/setup: `prometheus` and `promtool` (Debian package `prometheus`) and `amtool`
# (`prometheus-alertmanager`), which tests/monitoring_promtool.rs and tests/monitoring_e2e.rs use
# to check the emitted rules and to scrape a real mlc-serve. Installed from Debian only when root.
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 \
    && command -v amtool >/dev/null 2>&1; then
    echo "   prometheus, promtool and amtool are on PATH"
elif ! mlc_apt prometheus prometheus-alertmanager \
    --for "tests/monitoring_promtool.rs and tests/monitoring_e2e.rs"; then
    mlc_setup_skip "prometheus, promtool and amtool" \
        "not on PATH (tests/monitoring_promtool.rs and tests/monitoring_e2e.rs are skipped)"
fi
