//! What `mlc build` asks of this module: the spec files and the image reference.

use crate::model::Project;

use super::config;
use super::containerfile::{containerfile, dockerignore};
use super::settings::{ImageInputs, Settings};

/// The directory of the spec files, relative to the output directory (`manifests/`).
pub const SPEC_DIR: &str = "images/mlc-serve";

/// Files of the image spec, paths relative to `manifests/` (e.g.
/// `images/mlc-serve/Containerfile`), sorted.
pub fn spec_files(project: &Project, inputs: &ImageInputs) -> Vec<(String, Vec<u8>)> {
    let s = Settings::resolve(&project.name.value, &project.image, inputs);
    vec![
        (format!("{SPEC_DIR}/Containerfile"), containerfile(&s)),
        (
            format!("{SPEC_DIR}/Containerfile.dockerignore"),
            dockerignore(),
        ),
        (format!("{SPEC_DIR}/image-config.json"), config::render(&s)),
    ]
}

/// The image reference manifests use for mlc-serve: `<registry>/mlc-serve:<tag>`, plus
/// `@<digest>` when pinned (the `--image-digest` flag wins over the KDL `digest`).
pub fn image_ref(project: &Project, inputs: &ImageInputs) -> String {
    let s = Settings::resolve(&project.name.value, &project.image, inputs);
    let mut reference = format!("{}/mlc-serve:{}", s.registry, s.tag);
    if let Some(digest) = &s.digest {
        reference.push('@');
        reference.push_str(digest);
    }
    reference
}
