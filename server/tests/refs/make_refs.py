"""Writes the reference outputs mlc-serve's tests compare against (server/tests/reference.rs).

For each shared model (iris, magika, silero VAD, the PP-OCRv4 detector) it builds fixed,
deterministic inputs, runs them with Python onnxruntime and writes `<name>.json` next to this
script: {"model": file, "inputs": [OIP tensors], "outputs": [OIP tensors]}, every value as a
JSON number (float32 values written exactly). Commit the JSON files; re-run after changing the
onnxruntime version or the inputs:

    pip install onnxruntime==1.32.0 numpy
    python3 server/tests/refs/make_refs.py [SHARED_DIR]   # default: $MLC_SHARED_DIR or ../shared
"""

import json
import os
import sys

import numpy as np
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
DATATYPES = {
    np.dtype(np.float32): "FP32",
    np.dtype(np.float64): "FP64",
    np.dtype(np.int32): "INT32",
    np.dtype(np.int64): "INT64",
}


def tensor(name, array):
    array = np.asarray(array)
    return {
        "name": name,
        "datatype": DATATYPES[array.dtype],
        "shape": list(array.shape),
        "data": array.reshape(-1).tolist(),
    }


def inputs_for(name):
    if name == "iris":
        return {
            "X": np.array(
                [[5.1, 3.5, 1.4, 0.2], [5.9, 3.0, 4.2, 1.5], [6.7, 3.0, 5.2, 2.3], [0.0, 10.0, -1.0, 7.5]],
                dtype=np.float32,
            )
        }
    if name == "magika":
        # Two rows of byte values (0..255, 256 = padding), deterministic.
        i = np.arange(2048, dtype=np.int64)
        row0 = (i * 37 + 11) % 256
        row1 = np.where(i < 1024, (i * i + 3) % 256, 256)
        return {"bytes": np.stack([row0, row1]).astype(np.int32)}
    if name == "silero":
        t = np.arange(512, dtype=np.float64) / 16000.0
        audio = 0.5 * np.sin(2 * np.pi * 440.0 * t) + 0.1 * np.sin(2 * np.pi * 97.0 * t)
        state = (np.arange(2 * 1 * 128, dtype=np.float64).reshape(2, 1, 128) % 7 - 3) / 10.0
        return {
            "input": audio.astype(np.float32).reshape(1, 512),
            "state": state.astype(np.float32),
            "sr": np.array(16000, dtype=np.int64),
        }
    if name == "ocr":
        idx = np.arange(3 * 32 * 32, dtype=np.float64).reshape(1, 3, 32, 32)
        return {"x": (np.sin(idx * 0.37) * 0.8).astype(np.float32)}
    raise ValueError(name)


MODELS = {
    "iris": "iris_logreg.onnx",
    "magika": "magika_standard_v3_3.onnx",
    "silero": "silero_vad.onnx",
    "ocr": "ppocrv4_det.onnx",
}


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MLC_SHARED_DIR", os.path.join(REPO, "..", "shared"))
    for name, file in MODELS.items():
        session = ort.InferenceSession(os.path.join(shared, "models", file), providers=["CPUExecutionProvider"])
        feeds = inputs_for(name)
        names = [o.name for o in session.get_outputs()]
        outputs = session.run(names, feeds)
        ref = {
            "model": file,
            "onnxruntime": ort.__version__,
            "inputs": [tensor(k, v) for k, v in feeds.items()],
            "outputs": [tensor(k, v) for k, v in zip(names, outputs)],
        }
        path = os.path.join(HERE, f"{name}.json")
        with open(path, "w") as f:
            json.dump(ref, f, separators=(",", ":"))
            f.write("\n")
        print(f"{path}: {[o.shape for o in outputs]}")


if __name__ == "__main__":
    main()
