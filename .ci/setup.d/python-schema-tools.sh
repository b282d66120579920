# Sourced by .ci/run (bash, set -euo pipefail): the upstream schema checker
# (../shared/schemas/upstream/check.py) that the golden tests run needs PyYAML and jsonschema.
if ! python3 -c "import yaml, jsonschema" 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
        "PyYAML>=6" "jsonschema>=4.18" 2>&1 | grep -v "Running pip as the 'root' user" || true
fi
python3 -c "import yaml, jsonschema" || { echo "python-schema-tools.sh: PyYAML/jsonschema missing" >&2; return 1; }
