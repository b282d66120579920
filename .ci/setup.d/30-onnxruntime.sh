# Sourced by .ci/setup: exports ORT_DYLIB_PATH, the ONNX Runtime library mlc-serve loads at run
# time, from the `onnxruntime` wheel that 10-python.sh installed (the version mlc-serve is
# tested with, pinned in .ci/requirements.txt).
mlc_ort_lib=$(python3 -c "import onnxruntime, os, sys; d = os.path.join(os.path.dirname(onnxruntime.__file__), 'capi'); sys.stdout.write(os.path.join(d, 'libonnxruntime.so.' + onnxruntime.__version__))" 2>/dev/null || true)
if [ -n "$mlc_ort_lib" ] && [ -f "$mlc_ort_lib" ]; then
    export ORT_DYLIB_PATH="$mlc_ort_lib"
    echo "   ORT_DYLIB_PATH=${mlc_ort_lib#"$root"/}"
else
    mlc_setup_skip "ONNX Runtime" "the onnxruntime wheel is not installed (mlc-serve and image tests are skipped)"
fi
unset mlc_ort_lib
