//! The reader on the committed iris model and on two small models made here, which are also
//! committed as test fixtures (`tests/fixtures/models/`, rewritten with `MLC_BLESS=1`).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};

use prost::Message;

use super::proto::{
    GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto, TensorProto,
    TensorShapeProto, TypeProto, ValueInfoProto, tensor_shape_proto, type_proto,
};
use super::{Dim, read_file};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models")
}

fn value(name: &str, dims: &[Option<i64>]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| tensor_shape_proto::Dimension {
            value: Some(match d {
                Some(n) => tensor_shape_proto::dimension::Value::DimValue(*n),
                None => tensor_shape_proto::dimension::Value::DimParam("N".to_owned()),
            }),
        })
        .collect();
    ValueInfoProto {
        name: name.to_owned(),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: 1,
                shape: Some(TensorShapeProto { dim }),
            })),
        }),
    }
}

fn identity(input: &str, output: &str, initializer: Vec<TensorProto>) -> ModelProto {
    ModelProto {
        ir_version: 8,
        producer_name: "mlc-tests".to_owned(),
        producer_version: String::new(),
        graph: Some(GraphProto {
            node: vec![NodeProto {
                op_type: "Identity".to_owned(),
                attribute: Vec::new(),
            }],
            name: "identity".to_owned(),
            initializer,
            input: vec![value(input, &[Some(1), Some(4)])],
            output: vec![value(output, &[Some(1), Some(4)])],
            sparse_initializer: Vec::new(),
        }),
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: 17,
        }],
    }
}

/// The committed fixture `name` equals `model` (written under `MLC_BLESS=1`).
fn fixture(name: &str, model: &ModelProto) {
    let path = fixtures().join(name);
    let bytes = model.encode_to_vec();
    if std::env::var_os("MLC_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &bytes).unwrap();
    }
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} is stale");
}

#[test]
fn fixed_batch_model_has_a_fixed_first_dimension() {
    fixture("fixed_batch.onnx", &identity("x", "y", Vec::new()));
    let m = read_file(&fixtures().join("fixed_batch.onnx")).unwrap();
    assert_eq!(m.inputs[0].shape_text(), "[1,4]");
    assert_eq!(
        m.batching_obstacle().unwrap(),
        "input `x` has a fixed first dimension [1,4]"
    );
}

#[test]
fn external_data_is_counted_and_missing_files_found() {
    let weight = TensorProto {
        dims: vec![4, 4],
        data_type: 1,
        name: "w".to_owned(),
        external_data: vec![
            StringStringEntryProto {
                key: "location".to_owned(),
                value: "external_data.bin".to_owned(),
            },
            StringStringEntryProto {
                key: "length".to_owned(),
                value: "64".to_owned(),
            },
        ],
        data_location: 1,
    };
    fixture("external_data.onnx", &identity("x", "y", vec![weight]));
    let m = read_file(&fixtures().join("external_data.onnx")).unwrap();
    assert_eq!(m.weight_bytes, 64);
    assert_eq!(m.file_bytes, 0);
    assert_eq!(m.missing_external(), ["external_data.bin"]);
}

#[test]
fn iris_signature() {
    let m = read_file(&fixtures().join("iris_logreg.onnx")).unwrap();
    assert_eq!(m.inputs.len(), 1);
    assert_eq!(m.inputs[0].name, "X");
    assert_eq!(m.inputs[0].datatype, "FP32");
    assert!(matches!(
        m.inputs[0].shape.as_deref(),
        Some([Dim::Dynamic(_), Dim::Fixed(4)])
    ));
    let outputs: Vec<_> = m.outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(outputs, ["label", "probabilities"]);
    assert!(m.batching_obstacle().is_none());
    assert!(m.weight_bytes > 0);
}

#[test]
fn garbage_is_a_decode_error_not_a_panic() {
    for bytes in [&b"placeholder model weights"[..], &[0xff; 7], &[]] {
        let _ = super::read_model(bytes, Path::new("."));
    }
    assert!(super::read_model(b"\x0a\xff", Path::new(".")).is_err());
}

#[test]
fn large_weights_are_counted_from_shapes() {
    // 1.6 GB of float weights declared by shape only: a tiny file mlc sizes as a large model.
    let weight = TensorProto {
        dims: vec![400_000_000],
        data_type: 1,
        name: "w".to_owned(),
        external_data: Vec::new(),
        data_location: 0,
    };
    let mut model = identity("x", "y", vec![weight]);
    if let Some(g) = model.graph.as_mut() {
        g.input = vec![value("x", &[None, Some(4)])];
        g.output = vec![value("y", &[None, Some(4)])];
    }
    fixture("large_weights.onnx", &model);
    let m = read_file(&fixtures().join("large_weights.onnx")).unwrap();
    assert_eq!(m.weight_bytes, 1_600_000_000);
    assert_eq!(crate::model::derived_memory_bytes(m.weight_bytes), 3 << 30);
}
