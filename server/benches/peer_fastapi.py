"""A minimal Python peer for the mlc-serve benchmark (server/benches/compare.rs): FastAPI +
onnxruntime serving one model with the Open Inference Protocol v2 JSON tensors (flat `data`).

    pip install fastapi uvicorn onnxruntime numpy
    python3 server/benches/peer_fastapi.py MODEL.onnx NAME PORT

One uvicorn worker, one onnxruntime session with one intra-op thread (like mlc-serve's
defaults), listening on 127.0.0.1 only.
"""

import json
import sys

import numpy as np
import onnxruntime as ort
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

DTYPES = {"FP32": np.float32, "FP64": np.float64, "INT32": np.int32, "INT64": np.int64}
NAMES = {np.dtype(v): k for k, v in DTYPES.items()}

model_path, model_name, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
output_names = [o.name for o in session.get_outputs()]
app = FastAPI()


@app.get("/v2/health/ready")
def ready():
    return {"ready": True}


@app.post(f"/v2/models/{model_name}/infer")
async def infer(request: Request):
    payload = json.loads(await request.body())
    feeds = {
        t["name"]: np.asarray(t["data"], dtype=DTYPES[t["datatype"]]).reshape(t["shape"])
        for t in payload["inputs"]
    }
    try:
        results = session.run(output_names, feeds)
    except Exception as err:  # noqa: BLE001 - the error goes back to the caller
        return JSONResponse({"error": str(err)}, status_code=400)
    outputs = [
        {"name": n, "datatype": NAMES[r.dtype], "shape": list(r.shape), "data": r.reshape(-1).tolist()}
        for n, r in zip(output_names, results)
    ]
    return Response(json.dumps({"model_name": model_name, "outputs": outputs}), media_type="application/json")


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
