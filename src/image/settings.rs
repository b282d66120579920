//! The image settings after defaults and flags: what the spec files and the image reference
//! are made from.

use crate::model::Image;

use super::onnxruntime::ORT_LIBRARY;

/// The mlc source repository the build stage fetches when the project names none.
pub const DEFAULT_SOURCE: &str = "https://github.com/mlc-project/mlc";

/// The registry prefix of the `mlc-serve` image when the project names none.
pub const DEFAULT_REGISTRY: &str = "ghcr.io/mlc-project";

/// The base image of the runtime stage when the project names none (not pinned: W0304).
pub const DEFAULT_BASE: &str = "debian:bookworm-slim";

/// The image of the stage that compiles `mlc-serve` (the toolchain of `rust-version`).
pub(crate) const RUST_IMAGE: &str = "docker.io/library/rust:1.95-bookworm";

/// The image of the stage that downloads and checks the ONNX Runtime wheel.
pub(crate) const PYTHON_IMAGE: &str = "docker.io/library/python:3.11-slim-bookworm";

/// Where the image holds the `mlc-serve` binary (on `PATH`).
pub const BINARY_PATH: &str = "/usr/local/bin/mlc-serve";

/// Where the image holds the ONNX Runtime library (`ORT_DYLIB_PATH`).
pub const ORT_LIBRARY_PATH: &str = "/usr/local/lib/onnxruntime/libonnxruntime.so.1.32.0";

/// The numeric user and group the runtime runs as (DESIGN §8.16).
pub const USER: &str = "65532:65532";

/// The ports the image exposes: every port an emitted runtime config serves, HTTP first, then
/// OIP gRPC (opened everywhere except on Knative, which serves one container port).
pub(crate) const PORTS: [u16; 2] = [crate::model::plan::HTTP_PORT, crate::model::plan::GRPC_PORT];

/// The runtime configuration file, mounted from the `runtime` ConfigMap.
pub(crate) const CONFIG_PATH: &str = "/etc/mlc-serve/config.yaml";

/// `PATH` inside the image (the Debian default).
pub(crate) const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The image's platform: the wheel is x86-64.
pub(crate) const PLATFORM: &str = "linux/amd64";

/// What `mlc build` adds to the project's `image` node: `--image-digest` and `--revision`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageInputs {
    /// The digest of the built `mlc-serve` image (`sha256:…`); wins over the KDL `digest`.
    pub digest: Option<String>,
    /// The mlc source revision to build (tag or commit); wins over the KDL `revision`.
    pub revision: Option<String>,
}

/// Every value the spec is made from, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    /// Project name (for the header comment and a label).
    pub project: String,
    /// Registry prefix.
    pub registry: String,
    /// Image tag.
    pub tag: String,
    /// Image digest, when pinned.
    pub digest: Option<String>,
    /// Base image of the runtime stage.
    pub base: String,
    /// mlc source repository URL.
    pub source: String,
    /// mlc source revision, when pinned (KDL `revision` or `--revision`); without it the
    /// Containerfile takes it as a build argument that has no default.
    pub revision: Option<String>,
}

impl Settings {
    /// Applies the defaults and the flags to the project's `image` node.
    pub(crate) fn resolve(project: &str, image: &Image, inputs: &ImageInputs) -> Self {
        let version = env!("CARGO_PKG_VERSION");
        Settings {
            project: clean(project),
            registry: clean(
                image
                    .registry
                    .as_deref()
                    .unwrap_or(DEFAULT_REGISTRY)
                    .trim_end_matches('/'),
            ),
            tag: clean(image.tag.as_deref().unwrap_or(version)),
            digest: inputs
                .digest
                .as_deref()
                .or(image.digest.as_deref())
                .map(clean),
            base: clean(image.base.as_ref().map_or(DEFAULT_BASE, |b| &b.value)),
            source: clean(image.source.as_deref().unwrap_or(DEFAULT_SOURCE)),
            revision: inputs
                .revision
                .as_deref()
                .or(image.revision.as_deref())
                .map(clean),
        }
    }

    /// The base image's digest (`sha256:…`), when it is pinned.
    pub(crate) fn base_digest(&self) -> Option<&str> {
        self.base.rsplit_once('@').map(|(_, d)| d)
    }
}

/// Drops control characters, which no image reference, URL or revision contains and which
/// would break a Containerfile line; the front end reports such values.
fn clean(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

/// The library path must end in the pinned file name, or `ORT_DYLIB_PATH` would lie.
const _: () = {
    let path = ORT_LIBRARY_PATH.as_bytes();
    let name = ORT_LIBRARY.as_bytes();
    assert!(path.len() > name.len());
    let mut i = 0;
    while i < name.len() {
        assert!(path[path.len() - name.len() + i] == name[i]);
        i += 1;
    }
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_kdl_values() {
        let image = Image {
            digest: Some("sha256:aa".to_owned()),
            revision: Some("v9".to_owned()),
            ..Image::default()
        };
        let inputs = ImageInputs {
            digest: Some("sha256:bb".to_owned()),
            revision: Some("abc123".to_owned()),
        };
        let s = Settings::resolve("p", &image, &inputs);
        assert_eq!(s.digest.as_deref(), Some("sha256:bb"));
        assert_eq!(s.revision.as_deref(), Some("abc123"));
        let s = Settings::resolve("p", &image, &ImageInputs::default());
        assert_eq!(s.digest.as_deref(), Some("sha256:aa"));
        assert_eq!(s.revision.as_deref(), Some("v9"));
    }

    #[test]
    fn defaults_are_this_mlc_release() {
        let s = Settings::resolve("p", &Image::default(), &ImageInputs::default());
        assert_eq!(s.revision, None, "no revision is invented");
        assert_eq!(s.tag, env!("CARGO_PKG_VERSION"));
        assert_eq!(s.source, DEFAULT_SOURCE);
        assert_eq!(s.base, DEFAULT_BASE);
        assert_eq!(s.registry, DEFAULT_REGISTRY);
        assert_eq!(s.base_digest(), None);
    }

    #[test]
    fn control_characters_never_reach_the_spec() {
        let image = Image {
            revision: Some("v1\nRUN evil".to_owned()),
            ..Image::default()
        };
        let s = Settings::resolve("p", &image, &ImageInputs::default());
        assert_eq!(s.revision.as_deref(), Some("v1RUN evil"));
    }
}
