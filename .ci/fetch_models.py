"""Fetches the ONNX models the runtime tests serve from the PyPI wheels that ship them.

Usage: python3 .ci/fetch_models.py CACHE_DIR

Each wheel is downloaded once with `pip download --no-deps` (silero-vad would pull torch) into
CACHE_DIR/wheels; the model files are extracted into CACHE_DIR/models and checked against the
sha256 recorded here (the same files as DESIGN's shared models). Nothing is fetched when every
model is there with the right digest. iris_logreg.onnx is generated and committed instead
(tests/fixtures/models/). Exit status 1 when a model cannot be had.
"""

import hashlib
import pathlib
import subprocess
import sys
import zipfile

# (file in CACHE_DIR/models, wheel requirement, member inside the wheel, sha256)
MODELS = [
    ("magika_standard_v3_3.onnx", "magika==1.0.3",
     "magika/models/standard_v3_3/model.onnx",
     "fe2d2eb49c5f88a9e0a6c048e15d6ffdf86235519c2afc535044de433169ec8c"),
    ("magika_standard_v3_3.config.min.json", "magika==1.0.3",
     "magika/models/standard_v3_3/config.min.json",
     "ae24c742205358f6ff6dfd5facb6743fb69743dbba8373e73da58ff0cbd695db"),
    ("silero_vad.onnx", "silero-vad==6.2.3",
     "silero_vad/data/silero_vad.onnx",
     "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"),
    ("ppocrv4_det.onnx", "rapidocr-onnxruntime==1.4.4",
     "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
     "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9"),
]


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wheel_for(wheels, requirement):
    name, version = requirement.split("==")
    prefix = f"{name.replace('-', '_')}-{version}-"
    found = sorted(p for p in wheels.glob("*.whl") if p.name.startswith(prefix))
    if found:
        return found[0]
    print(f"   pip download --no-deps {requirement}", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--only-binary=:all:", "--dest", str(wheels), requirement],
        check=True,
    )
    found = sorted(p for p in wheels.glob("*.whl") if p.name.startswith(prefix))
    if not found:
        raise RuntimeError(f"pip download {requirement} left no wheel in {wheels}")
    return found[0]


def main():
    cache = pathlib.Path(sys.argv[1])
    models = cache / "models"
    wheels = cache / "wheels"
    models.mkdir(parents=True, exist_ok=True)
    wheels.mkdir(parents=True, exist_ok=True)
    ok = True
    for file, requirement, member, digest in MODELS:
        target = models / file
        if target.is_file() and sha256(target) == digest:
            continue
        try:
            data = zipfile.ZipFile(wheel_for(wheels, requirement)).read(member)
        except (subprocess.CalledProcessError, RuntimeError, KeyError, OSError) as e:
            print(f"   cannot get {file} from {requirement}: {e}", file=sys.stderr)
            ok = False
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            print(f"   {file} from {requirement} has sha256 "
                  f"{hashlib.sha256(data).hexdigest()}, expected {digest}", file=sys.stderr)
            ok = False
            continue
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        print(f"   {file}: {len(data)} bytes from {requirement} ({member})")
    if ok:
        print(f"   models in {models.relative_to(cache.parent) if cache.is_absolute() else models}: "
              + ", ".join(m[0] for m in MODELS))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
