# Sourced by .ci/run (bash, set -euo pipefail): the Python packages mlc-serve's tests use as a real
# Open Inference Protocol client (server/tests/tritonclient.rs runs `tritonclient[http]` with numpy).
# Idempotent and quiet: nothing is installed when both import.
if ! python3 -c "import tritonclient.http, numpy" 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
        "tritonclient[http]>=2.40" "numpy>=1.24" 2>&1 | grep -v "Running pip as the 'root' user" || true
fi
python3 -c "import tritonclient.http, numpy" || { echo "python-runtime-tools.sh: tritonclient[http]/numpy missing" >&2; return 1; }
