//! What `mlc build` asks of this module: the spec files and the image reference.

use crate::diagnostics::Diagnostic;
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

/// W0402 when a model runs on mlc-serve and neither the KDL `image revision=` nor
/// `--revision` says which mlc source the image is built from: the spec then takes it as a
/// build argument without default, since mlc invents no revision (DESIGN §8.10).
pub fn revision_warning(project: &Project, inputs: &ImageInputs) -> Option<Diagnostic> {
    let uses_image = project
        .environments
        .values()
        .flat_map(|e| e.models.values())
        .any(|m| m.uses_mlc_serve());
    if !uses_image || inputs.revision.is_some() || project.image.revision.is_some() {
        return None;
    }
    let span = project.image.span.unwrap_or(project.name.span);
    Some(
        Diagnostic::warning(
            "W0402",
            "the runtime image spec does not say which mlc source revision to build",
        )
        .label(span, "no `revision` in the `image` node")
        .help("write `image revision=\"<tag or commit>\"`, or pass `mlc build --revision <tag or commit>`; until then `docker build` needs `--build-arg MLC_REVISION=…`"),
    )
}
