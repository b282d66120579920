//! Reading the model files mlc can see (model stage, after the plans are built): a `file://`
//! artifact of the project, or a local copy of a remote one under `--artifacts DIR`
//! (`DIR/<scheme>/<rest of the URI>`, verified against the declared `sha256`). Each ONNX
//! file is read once ([`crate::onnx`]) and shared by the plans that serve it; its signature
//! goes into the model's runtime config, and a model without a memory request gets one
//! derived from its weights (`docs/models.md`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ir::{Artifact, Format, Location, Model, Project, Spanned};
use super::units::Quantity;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::onnx::{OnnxModel, ReadError};

/// Where model files are read from.
#[derive(Debug, Clone, Default)]
pub struct ArtifactDirs {
    /// Local copies of remote artifacts (`--artifacts DIR`).
    pub local: Option<PathBuf>,
}

/// The share of the weights kept free for activations and the runtime's own buffers: a model
/// needs its weights plus this margin in the memory it runs in (accelerator or host).
pub const ACTIVATION_MARGIN: f64 = 0.25;

/// mlc's default memory request without a readable model (`emit/pod.rs`), in bytes.
pub const DEFAULT_MEMORY_BYTES: u64 = 2 << 30;

/// What the runtime itself takes in host memory besides the model, in bytes.
const RUNTIME_BYTES: u64 = 512 << 20;

/// The memory request derived from a model's weights: the weights with their margin plus
/// the runtime, rounded up to a whole GiB, never below the 2Gi default.
pub fn derived_memory_bytes(weights: u64) -> u64 {
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "weights far below 2^52 bytes"
    )]
    let needed =
        ((weights as f64 * (1.0 + ACTIVATION_MARGIN)) as u64).saturating_add(RUNTIME_BYTES);
    needed
        .div_ceil(1 << 30)
        .saturating_mul(1 << 30)
        .max(DEFAULT_MEMORY_BYTES)
}

/// Reads the ONNX artifacts of every planned model of `project`, relative to `root`.
pub fn read_artifacts(project: &mut Project, root: &Path, dirs: &ArtifactDirs) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let mut cache: BTreeMap<PathBuf, Result<Arc<OnnxModel>, ReadError>> = BTreeMap::new();
    let mut reported: Vec<crate::source::Span> = Vec::new();
    for env in project.environments.values_mut() {
        for (key, model) in &mut env.models {
            let Some(plan) = env.plans.get_mut(key) else {
                continue;
            };
            if model.format.value != Format::Onnx || model.artifact.is_directory() {
                continue;
            }
            let Some(path) = local_file(model, root, dirs, &mut diags, &mut reported) else {
                continue;
            };
            let read = cache
                .entry(path.clone())
                .or_insert_with(|| crate::onnx::read_file(&path).map(Arc::new));
            let onnx = match read {
                Ok(onnx) => Arc::clone(onnx),
                Err(e) => {
                    if !reported.contains(&model.artifact.uri.span) {
                        reported.push(model.artifact.uri.span);
                        diags.push(unreadable(model, e));
                    }
                    continue;
                }
            };
            let missing = onnx.missing_external();
            if !missing.is_empty() && !reported.contains(&model.artifact.uri.span) {
                reported.push(model.artifact.uri.span);
                diags.push(
                    Diagnostic::error(
                        Code::E0344,
                        format!(
                            "the model's external-data file{} `{}` {} missing beside it",
                            if missing.len() == 1 { "" } else { "s" },
                            missing.join("`, `"),
                            if missing.len() == 1 { "is" } else { "are" }
                        ),
                    )
                    .label(model.artifact.uri.span, "this model")
                    .note("ONNX keeps the weights of a model above 2 GB in files beside the `.onnx`; the runtime cannot load it without them")
                    .help("copy the external-data files next to the model file, or point the artifact at a directory that holds them all"),
                );
            }
            if model.resources.memory.is_none() && model.resources.memory_limit.is_none() {
                let bytes = derived_memory_bytes(onnx.weight_bytes);
                if bytes > DEFAULT_MEMORY_BYTES {
                    let gib = bytes >> 30;
                    let text = format!("{gib}Gi");
                    #[expect(clippy::cast_precision_loss, reason = "bytes far below 2^52")]
                    let value = bytes as f64;
                    // Copied on write: the environment may share the declared model.
                    Arc::make_mut(model).resources.memory = Some(Spanned::new(
                        Quantity { text, value },
                        model.artifact.uri.span,
                    ));
                    if !reported.contains(&model.artifact.uri.span) {
                        reported.push(model.artifact.uri.span);
                        diags.push(
                            Diagnostic::notice(
                                Code::N0305,
                                format!(
                                    "`{}` gets a memory request of {gib}Gi, derived from its {} of weights",
                                    model.name.value,
                                    crate::onnx::size_text(onnx.weight_bytes)
                                ),
                            )
                            .label(model.artifact.uri.span, "weights read from this model")
                            .note("weights plus 25 % for activations plus 512 MiB for the runtime, rounded up to a whole GiB")
                            .help("set `resources memory=…` to choose the request yourself"),
                        );
                    }
                }
            }
            if let Some(rc) = plan.runtime_config.as_mut() {
                rc.set_signature(&onnx);
            }
            plan.onnx = Some(onnx);
        }
    }
    diags
}

fn unreadable(model: &Model, e: &ReadError) -> Diagnostic {
    Diagnostic::warning(
        Code::W0317,
        format!("`{}` is declared `format onnx`, but its artifact cannot be read as ONNX: {e}", model.name.value),
    )
    .label(model.artifact.uri.span, "not a readable ONNX model")
    .note("the checks that read the model (batching, memory fit, signature) are skipped for it, and mlc-serve will refuse it at start")
    .help("point the artifact at the `.onnx` file the model is exported to")
}

/// The local file of `model`'s artifact: its `file://` path, or its copy under
/// `--artifacts`, verified against its digest (`E0342`).
fn local_file(
    model: &Model,
    root: &Path,
    dirs: &ArtifactDirs,
    diags: &mut Diagnostics,
    reported: &mut Vec<crate::source::Span>,
) -> Option<PathBuf> {
    let artifact = &model.artifact;
    let path = match &artifact.location {
        Location::File { path } => {
            // A project file is read as it is; a declared digest must be its digest.
            let path = root.join(path);
            if let Some(sha) = artifact.sha256.as_ref()
                && path.is_file()
            {
                let wrong = Mismatch {
                    what: "the file",
                    holder: "the file",
                    help: "update `sha256` to the file's digest (`sha256sum` prints it) if the model changed on purpose, or restore the file",
                };
                digest_matches(&path, artifact, sha, &wrong, reported, diags)?;
            }
            path
        }
        Location::Pvc { .. } | Location::Remote(_) => {
            let dir = dirs.local.as_ref()?;
            let (scheme, rest) = artifact.uri.value.split_once("://")?;
            let rest = rest.trim_start_matches('/');
            if rest.split('/').any(|part| part == "..") {
                return None;
            }
            let path = dir.join(scheme).join(rest);
            let sha = artifact.sha256.as_ref()?;
            let wrong = Mismatch {
                what: "the local copy",
                holder: "the copy under --artifacts",
                help: "copy the artifact again, or update `sha256` if the model changed on purpose",
            };
            digest_matches(&path, artifact, sha, &wrong, reported, diags)?;
            path
        }
    };
    path.is_file().then_some(path)
}

/// How an artifact file whose digest differs is named in its `E0342`.
struct Mismatch {
    /// What differs: "the file", "the local copy".
    what: &'static str,
    /// Who has the actual digest, for the note.
    holder: &'static str,
    /// The fix.
    help: &'static str,
}

/// `Some` when the file at `path` has the declared digest `sha`; else `E0342` (once per
/// artifact) and `None`. A file that cannot be read is `None` without a diagnostic.
fn digest_matches(
    path: &Path,
    artifact: &Artifact,
    sha: &Spanned<String>,
    wrong: &Mismatch,
    reported: &mut Vec<crate::source::Span>,
    diags: &mut Diagnostics,
) -> Option<()> {
    let bytes = std::fs::read(path).ok()?;
    let actual = crate::canonical::digest::sha256_hex(&bytes);
    if actual == sha.value {
        return Some(());
    }
    if !reported.contains(&artifact.uri.span) {
        reported.push(artifact.uri.span);
        diags.push(
            Diagnostic::error(
                Code::E0342,
                format!(
                    "{} of `{}` does not match its sha256",
                    wrong.what, artifact.uri.value
                ),
            )
            .label(sha.span, "declared digest")
            .note(format!("{} has sha256 {actual}", wrong.holder))
            .help(wrong.help),
        );
    }
    None
}
