"""A real Open Inference Protocol v2 gRPC client (tritonclient[grpc]) against a running mlc-serve.

Run by server/tests/grpc.rs: `python3 grpc_check.py HOST:PORT`, the server serving `iris`
(iris_logreg.onnx), one model per datatype named after it in lower case (tests/models/<dt>.onnx:
`y = Identity(x)`, `f = Cast(x, DOUBLE)`), and `text` (tests/models/bytes.onnx: `y = Identity(x)`,
`is_mlc = Equal(x, "mlc")`). Checks health, metadata, inference on every datatype through
raw_input_contents (as tritonclient sends them) and through the typed `contents` fields, gzip
compression, and that errors arrive as the right gRPC status codes. Exits non-zero on the first
mismatch; prints `grpc OK` at the end.
"""

import sys

import grpc
import numpy as np
import tritonclient.grpc as grpcclient

try:
    from ml_dtypes import bfloat16 as BF16
except ImportError:
    BF16 = np.float32
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import InferenceServerException

CASES = {
    "FP32": np.array([0.0, 1.5, -2.25, 3.4028234663852886e38, 0.15625, -1024.0], np.float32),
    "FP64": np.array([0.0, 0.1, -2.25, 1.7976931348623157e308, 5e-324, -1e100], np.float64),
    "FP16": np.array([0.0, 1.5, -2.25, 65504.0, 0.0009765625, -1024.0], np.float16),
    # Values bfloat16 holds exactly; tritonclient takes ml_dtypes.bfloat16 arrays (older
    # releases took float32 ones).
    "BF16": np.array([0.0, 1.5, -2.25, 3.3895313892515355e38, 0.15625, -1024.0], BF16),
    "INT8": np.array([-128, 127, 0, 1, -1, 42], np.int8),
    "INT16": np.array([-32768, 32767, 0, 1, -1, 42], np.int16),
    "INT32": np.array([-(2**31), 2**31 - 1, 0, 1, -1, 42], np.int32),
    "INT64": np.array([-(2**63), 2**63 - 1, 0, 1, -1, 4_503_599_627_370_497], np.int64),
    "UINT8": np.array([0, 255, 1, 2, 128, 42], np.uint8),
    "UINT16": np.array([0, 65535, 1, 2, 32768, 42], np.uint16),
    "UINT32": np.array([0, 2**32 - 1, 1, 2, 2**31, 42], np.uint32),
    "UINT64": np.array([0, 2**64 - 1, 1, 2, 9_007_199_254_740_993, 42], np.uint64),
    "BOOL": np.array([True, False, True, True, False, False], np.bool_),
}
WORDS = np.array([[b"mlc", b"", "h\u00e9llo".encode()], [b"mlc ", b"MLC", b'{"a": 1}']], dtype=np.object_)


def expect_status(code, call):
    try:
        call()
    except InferenceServerException as e:
        assert e.status() == str(code), (e.status(), str(code), e.message())
        return e.message()
    raise AssertionError(f"expected {code}, the call succeeded")


def check_datatypes(client):
    for datatype, flat in CASES.items():
        name = datatype.lower()
        meta = client.get_model_metadata(name, as_json=True)
        assert meta["inputs"] == [{"name": "x", "datatype": datatype, "shape": ["-1", "-1"]}], meta
        values = flat.reshape(2, 3)
        inp = grpcclient.InferInput("x", [2, 3], datatype)
        inp.set_data_from_numpy(values)
        result = client.infer(name, [inp], request_id=f"id-{name}")
        assert result.get_response().id == f"id-{name}", result.get_response()
        y = result.as_numpy("y")
        assert y.shape == (2, 3), (datatype, y.shape)
        assert np.array_equal(y, values), (datatype, y, values)
        f = result.as_numpy("f")
        assert np.array_equal(f, values.astype(np.float64)), (datatype, f)


def check_bytes(client):
    inp = grpcclient.InferInput("x", [2, 3], "BYTES")
    inp.set_data_from_numpy(WORDS)
    result = client.infer("text", [inp])
    y = result.as_numpy("y")
    assert y.shape == (2, 3) and list(y.flatten()) == list(WORDS.flatten()), y
    assert result.as_numpy("is_mlc").tolist() == [[True, False, False], [False, False, False]]
    # ONNX Runtime strings cannot hold a NUL byte: refused with a reason, not cut short.
    bad = grpcclient.InferInput("x", [1, 1], "BYTES")
    bad.set_data_from_numpy(np.array([[b"a\x00b"]], dtype=np.object_))
    message = expect_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: client.infer("text", [bad]))
    assert "NUL" in message, message


def check_typed_contents(url):
    """The typed `contents` fields, which tritonclient itself never sends."""
    stub = service_pb2_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(url))
    tensor = service_pb2.ModelInferRequest.InferInputTensor
    contents = service_pb2.InferTensorContents
    for datatype, field in [
        ("INT16", "int_contents"),
        ("INT32", "int_contents"),
        ("INT64", "int64_contents"),
        ("UINT8", "uint_contents"),
        ("UINT64", "uint64_contents"),
        ("FP32", "fp32_contents"),
        ("FP64", "fp64_contents"),
        ("BOOL", "bool_contents"),
    ]:
        values = CASES[datatype]
        request = service_pb2.ModelInferRequest(
            model_name=datatype.lower(),
            inputs=[tensor(name="x", datatype=datatype, shape=[2, 3], contents=contents(**{field: values.tolist()}))],
        )
        response = stub.ModelInfer(request)
        names = [o.name for o in response.outputs]
        y = np.frombuffer(response.raw_output_contents[names.index("y")], dtype=values.dtype)
        assert np.array_equal(y, values), (datatype, y)
    request = service_pb2.ModelInferRequest(
        model_name="text",
        inputs=[tensor(name="x", datatype="BYTES", shape=[1, 2], contents=contents(bytes_contents=[b"mlc", b"no"]))],
    )
    response = stub.ModelInfer(request)
    raw = response.raw_output_contents[[o.name for o in response.outputs].index("is_mlc")]
    assert raw == b"\x01\x00", raw
    # An INT8 value out of range in int_contents is refused, not wrapped.
    request = service_pb2.ModelInferRequest(
        model_name="int8",
        inputs=[tensor(name="x", datatype="INT8", shape=[1, 1], contents=contents(int_contents=[300]))],
    )
    try:
        stub.ModelInfer(request)
        raise AssertionError("INT8 300 was accepted")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e


def check_iris_and_errors(client):
    rows = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], np.float32)
    inp = grpcclient.InferInput("X", [2, 4], "FP32")
    inp.set_data_from_numpy(rows)
    only_label = [grpcclient.InferRequestedOutput("label")]
    result = client.infer("iris", [inp], outputs=only_label)
    assert result.as_numpy("label").tolist() == [0, 2], result.as_numpy("label")
    assert result.as_numpy("probabilities") is None
    # Compressed requests and responses (grpc-encoding).
    for algorithm in ("gzip", "deflate"):
        result = client.infer("iris", [inp], compression_algorithm=algorithm)
        assert result.as_numpy("label").tolist() == [0, 2], algorithm

    expect_status(grpc.StatusCode.NOT_FOUND, lambda: client.infer("nope", [inp]))
    expect_status(grpc.StatusCode.NOT_FOUND, lambda: client.get_model_metadata("nope"))
    expect_status(grpc.StatusCode.NOT_FOUND, lambda: client.is_model_ready("nope"))
    expect_status(grpc.StatusCode.NOT_FOUND, lambda: client.infer("iris", [inp], model_version="9"))
    wrong = grpcclient.InferInput("X", [2, 2], "FP32")
    wrong.set_data_from_numpy(rows[:, :2].copy())
    message = expect_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: client.infer("iris", [wrong]))
    assert "shape" in message, message
    typed = grpcclient.InferInput("X", [2, 4], "FP64")
    typed.set_data_from_numpy(rows.astype(np.float64))
    expect_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: client.infer("iris", [typed]))
    unknown = grpcclient.InferInput("nope", [2, 4], "FP32")
    unknown.set_data_from_numpy(rows)
    expect_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: client.infer("iris", [unknown]))
    expect_status(
        grpc.StatusCode.INVALID_ARGUMENT,
        lambda: client.infer("iris", [inp], outputs=[grpcclient.InferRequestedOutput("nope")]),
    )
    # Outside the OIP service (Triton's extensions): not implemented.
    expect_status(grpc.StatusCode.UNIMPLEMENTED, lambda: client.get_model_repository_index())


def main() -> None:
    url = sys.argv[1]
    client = grpcclient.InferenceServerClient(url=url)
    assert client.is_server_live(), "not live"
    assert client.is_server_ready(), "not ready"
    assert client.is_model_ready("iris"), "iris not ready"
    meta = client.get_server_metadata(as_json=True)
    assert meta["name"] == "mlc-serve", meta
    iris = client.get_model_metadata("iris", as_json=True)
    assert iris["platform"] == "onnx_onnxv1", iris
    assert iris["inputs"] == [{"name": "X", "datatype": "FP32", "shape": ["-1", "4"]}], iris
    check_datatypes(client)
    check_bytes(client)
    check_typed_contents(url)
    check_iris_and_errors(client)
    print("grpc OK")


if __name__ == "__main__":
    main()
