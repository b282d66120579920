//! `mlc-serve`: the mlc inference runtime. It serves ONNX models with ONNX Runtime (loaded
//! dynamically) over the Open Inference Protocol v2, the V2 REST protocol of `KServe`.
//!
//! Start-up: [`cli`] picks the configuration ([`config_file`], types in `mlc-serve-config`),
//! [`ort_library`] finds and loads ONNX Runtime, [`model`] loads each model into a pool of
//! sessions behind a bounded queue and a dynamic batcher, and [`app`] serves the [`http`] routes (and the [`grpc`] service, on its own port)
//! until SIGTERM, when [`lifecycle`] drains. Requests are decoded by [`protocol`] into
//! [`tensor`]s; failures are [`error::ApiError`]s; [`metrics`] are served at `/metrics`.

pub mod app;
pub mod cli;
pub mod config_file;
pub mod error;
pub mod grpc;
pub mod http;
pub mod lifecycle;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod ort_library;
pub mod protocol;
pub mod tensor;
