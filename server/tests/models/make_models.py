"""Generates the tiny ONNX models mlc-serve's datatype tests use (server/tests/datatypes.rs).

One model per OIP datatype, `<datatype>.onnx` (e.g. `fp16.onnx`) next to this script: input `x`
of that type, shape [-1, -1]; outputs `y = Identity(x)` (same type) and `f = Cast(x, DOUBLE)`
(FP64), so a test sees both the exact round trip and the numeric value ONNX Runtime received.
`bytes.onnx` does the same for BYTES (ONNX strings): `y = Identity(x)` and `is_mlc = Equal(x, "mlc")`
(BOOL), so a test sees that ONNX Runtime received each string. The generated files are tiny and
committed; the tests do not need the `onnx` package:

    pip install onnx
    python3 server/tests/models/make_models.py
"""

import os

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
DATATYPES = {
    "FP32": TensorProto.FLOAT,
    "FP64": TensorProto.DOUBLE,
    "FP16": TensorProto.FLOAT16,
    "BF16": TensorProto.BFLOAT16,
    "INT8": TensorProto.INT8,
    "INT16": TensorProto.INT16,
    "INT32": TensorProto.INT32,
    "INT64": TensorProto.INT64,
    "UINT8": TensorProto.UINT8,
    "UINT16": TensorProto.UINT16,
    "UINT32": TensorProto.UINT32,
    "UINT64": TensorProto.UINT64,
    "BOOL": TensorProto.BOOL,
}


def main():
    for name, elem in DATATYPES.items():
        graph = helper.make_graph(
            [
                helper.make_node("Identity", ["x"], ["y"]),
                helper.make_node("Cast", ["x"], ["f"], to=TensorProto.DOUBLE),
            ],
            f"identity_cast_{name.lower()}",
            [helper.make_tensor_value_info("x", elem, ["n", "m"])],
            [
                helper.make_tensor_value_info("y", elem, ["n", "m"]),
                helper.make_tensor_value_info("f", TensorProto.DOUBLE, ["n", "m"]),
            ],
        )
        model = helper.make_model(
            graph,
            producer_name="mlc-serve tests",
            opset_imports=[helper.make_opsetid("", 21)],
        )
        model.ir_version = 10
        onnx.checker.check_model(model)
        path = os.path.join(HERE, f"{name.lower()}.onnx")
        onnx.save(model, path)
        print(path)
    save_bytes_model()


def save_bytes_model():
    graph = helper.make_graph(
        [
            helper.make_node("Identity", ["x"], ["y"]),
            helper.make_node(
                "Constant",
                [],
                ["word"],
                value=helper.make_tensor("word", TensorProto.STRING, [], [b"mlc"]),
            ),
            helper.make_node("Equal", ["x", "word"], ["is_mlc"]),
        ],
        "identity_equal_bytes",
        [helper.make_tensor_value_info("x", TensorProto.STRING, ["n", "m"])],
        [
            helper.make_tensor_value_info("y", TensorProto.STRING, ["n", "m"]),
            helper.make_tensor_value_info("is_mlc", TensorProto.BOOL, ["n", "m"]),
        ],
    )
    model = helper.make_model(
        graph,
        producer_name="mlc-serve tests",
        opset_imports=[helper.make_opsetid("", 21)],
    )
    model.ir_version = 10
    onnx.checker.check_model(model)
    path = os.path.join(HERE, "bytes.onnx")
    onnx.save(model, path)
    print(path)


if __name__ == "__main__":
    main()
