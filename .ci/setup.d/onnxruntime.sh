# Sourced by .ci/run (bash, set -euo pipefail): installs the ONNX Runtime library that mlc-serve loads at run time
# and exports ORT_DYLIB_PATH for its tests. Idempotent and quiet: nothing is installed when the pinned wheel is there.
# The library comes from the `onnxruntime` wheel on PyPI (CPU build), pinned to the version mlc-serve is tested with.
mlc_ort_version=1.32.0

mlc_ort_capi() {
    python3 -c "import onnxruntime, os, sys; sys.stdout.write(os.path.join(os.path.dirname(onnxruntime.__file__), 'capi') if onnxruntime.__version__ == '$mlc_ort_version' else '')" 2>/dev/null || true
}

mlc_ort_dir=$(mlc_ort_capi)
if [ -z "$mlc_ort_dir" ]; then
    python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
        "onnxruntime==$mlc_ort_version" 2>&1 | grep -v "Running pip as the 'root' user" || true
    mlc_ort_dir=$(mlc_ort_capi)
fi
if [ -z "$mlc_ort_dir" ] || [ ! -f "$mlc_ort_dir/libonnxruntime.so.$mlc_ort_version" ]; then
    echo "onnxruntime.sh: could not install onnxruntime==$mlc_ort_version with pip" >&2
    return 1
fi
export ORT_DYLIB_PATH="$mlc_ort_dir/libonnxruntime.so.$mlc_ort_version"
unset mlc_ort_version mlc_ort_dir
unset -f mlc_ort_capi
