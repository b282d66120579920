//! The runtime image of `mlc-serve`: the image spec that `mlc build` writes under
//! `manifests/images/mlc-serve/`, the image reference the manifests use, and the OCI image
//! layout that `mlc image build` assembles from files given by path.
//!
//! Everything here is deterministic: the spec depends only on the project's `image` node and
//! the `mlc build` flags ([`ImageInputs`]); a layout only on the files and flags given to
//! `mlc image build` (DESIGN §8.10). Nothing reads the clock, the environment or git.

mod assemble;
mod config;
mod containerfile;
mod elf;
mod host_libs;
mod layer;
mod oci_layout;
mod onnxruntime;
mod settings;
mod spec;

pub use assemble::{BuildError, BuildOptions, Built, build_layout};
pub use config::config_json;
pub use onnxruntime::{ORT_LIBRARY, ORT_VERSION, ORT_WHEEL, ORT_WHEEL_SHA256};
pub use settings::{
    BINARY_PATH, DEFAULT_BASE, DEFAULT_REGISTRY, DEFAULT_SOURCE, ImageInputs, ORT_LIBRARY_PATH,
    USER,
};
pub use spec::{SPEC_DIR, image_ref, revision_warning, spec_files};
