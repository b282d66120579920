//! `mlc build`: compile a project into the manifest tree, or print one environment.

use std::io::Write as _;
use std::path::PathBuf;

use clap::Args;

use super::output::{ExitStatus, GlobalArgs, OutputFormat, print_diagnostics_to, stderr, stdout};
use crate::driver;
use crate::emit::Scope;
use crate::image::ImageInputs;
use crate::render::write;

/// Build every environment's manifests into `manifests/` (replaced atomically), or print one
/// environment's objects with `--stdout`.
///
/// Examples: `mlc build examples/bert-kafka-mig`; in CI `mlc build --check`; for Argo CD
/// `mlc build --stdout --env prod`.
#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// The project directory, or any file or directory inside it (walks up to `mlc.kdl`).
    #[arg(default_value = ".")]
    pub(crate) path: PathBuf,
    /// Output directory (default: `manifests/` at the project root).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Print the objects as one multi-document YAML stream instead of writing the tree.
    #[arg(long)]
    pub(crate) stdout: bool,
    /// With `--stdout`: the environment to print.
    #[arg(long, value_name = "NAME", conflicts_with = "cluster")]
    pub(crate) env: Option<String>,
    /// With `--stdout`: print the cluster-level objects of this cluster.
    #[arg(long, value_name = "NAME")]
    pub(crate) cluster: Option<String>,
    /// Write nothing; exit 1 with a unified diff when the tree on disk is not what mlc builds.
    #[arg(long, conflicts_with = "stdout")]
    pub(crate) check: bool,
    /// Pin the mlc-serve image by digest (`sha256:…`), overriding the KDL.
    #[arg(long, value_name = "DIGEST")]
    pub(crate) image_digest: Option<String>,
    /// Source revision of mlc-serve recorded in the image spec, overriding the KDL.
    #[arg(long, value_name = "REV")]
    pub(crate) revision: Option<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
    /// The API versions the target cluster serves, comma-separated as Argo CD's
    /// `KUBE_API_VERSIONS` (`apps/v1,keda.sh/v1alpha1/ScaledObject,…`): warn (W0401) when the
    /// output needs a KServe or KEDA API the cluster lacks.
    /// Example: `--kube-api-versions "$KUBE_API_VERSIONS"` in an Argo CD plugin.
    #[arg(long, value_name = "LIST")]
    pub(crate) kube_api_versions: Option<String>,
    /// Local copies of remote artifacts, as `DIR/<scheme>/<rest of the URI>` (such as
    /// `DIR/s3/models/iris/model.onnx` for `s3://models/iris/model.onnx`), verified against
    /// their `sha256` (E0342) and read for the model-aware checks (`docs/models.md`).
    #[arg(long, value_name = "DIR")]
    pub(crate) artifacts: Option<PathBuf>,
}

/// Runs `mlc build`.
pub(crate) fn run(args: &BuildArgs, global: &GlobalArgs) -> ExitStatus {
    if (args.env.is_some() || args.cluster.is_some()) && !args.stdout {
        stderr("error: `--env` and `--cluster` select what `--stdout` prints; add `--stdout`\n");
        return ExitStatus::Error;
    }
    if let Some(d) = &args.image_digest {
        let hex = d.strip_prefix("sha256:").unwrap_or("");
        if !crate::model::units::is_sha256_hex(hex) {
            stderr(&format!(
                "error[E0210]: `--image-digest {d}` is not a digest\n  help: give `sha256:` and 64 lower-case hex digits, as `crane digest` prints them\n"
            ));
            return ExitStatus::Failure;
        }
    }
    let inputs = ImageInputs {
        digest: args.image_digest.clone(),
        revision: args.revision.clone(),
    };
    let dirs = crate::model::ArtifactDirs {
        local: args.artifacts.clone(),
    };
    let mut built = if args.stdout {
        driver::build_objects(&args.path, &inputs, &dirs)
    } else {
        driver::build_with(&args.path, &inputs, &dirs)
    };
    if let Some(list) = &args.kube_api_versions {
        let missing = missing_apis(list, &built.rendered);
        for (api, kinds) in missing {
            built.checked.diagnostics.push(
                crate::diagnostics::Diagnostic::warning(
                    "W0401",
                    format!("the target cluster does not serve `{api}`, needed by {}", kinds.join(", ")),
                )
                .help("install the CRDs of that API (KServe or KEDA) on the cluster before syncing, or check `--kube-api-versions`"),
            );
        }
    }
    let diags = &built.checked.diagnostics;
    let failed = diags.has_errors() || (args.deny_warnings && diags.warning_count() > 0);
    print_diagnostics_to(diags, &built.checked.sources, global, args.stdout);
    let (Some(project), false) = (built.checked.project.as_ref(), failed) else {
        return ExitStatus::Failure;
    };

    if args.stdout {
        let scope = match (&args.env, &args.cluster) {
            (Some(e), _) => Scope::Env(e.clone()),
            (None, Some(c)) => Scope::Cluster(c.clone()),
            (None, None) => {
                let envs: Vec<&String> = project.environments.keys().collect();
                match envs.as_slice() {
                    [only] => Scope::Env((*only).clone()),
                    _ => {
                        let list = envs
                            .iter()
                            .map(|e| format!("`{e}`"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        stderr(&format!(
                            "error: the project has several environments ({list}): choose one with `--env NAME`\n"
                        ));
                        return ExitStatus::Error;
                    }
                }
            }
        };
        let documents: Vec<&[u8]> = built
            .rendered
            .iter()
            .filter(|o| o.scope == scope)
            .map(|o| o.bytes.as_slice())
            .collect();
        if documents.is_empty() {
            let (what, name, known) = match &scope {
                Scope::Env(e) => (
                    "environment",
                    e,
                    project.environments.keys().cloned().collect::<Vec<_>>(),
                ),
                Scope::Cluster(c) => (
                    "cluster",
                    c,
                    project.clusters.keys().cloned().collect::<Vec<_>>(),
                ),
            };
            let list = known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            stderr(&format!(
                "error: {what} `{name}` has no objects (known: {list})\n"
            ));
            return ExitStatus::Failure;
        }
        // The documents as the back end wrote them, streamed out without joining them
        // into one more copy.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        for bytes in documents {
            if out
                .write_all(b"---\n")
                .and_then(|()| out.write_all(bytes))
                .is_err()
            {
                break;
            }
        }
        let _ = out.flush();
        // The process exits next: freeing a fleet's objects one by one would only cost time.
        std::mem::forget(built);
        return ExitStatus::Success;
    }

    let Some(tree) = built.tree.as_ref() else {
        return ExitStatus::Failure;
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| built.checked.root.join(driver::OUTPUT_DIR));
    if args.check {
        let on_disk = match write::read_tree(&out) {
            Ok(t) => t,
            Err(e) => {
                stderr(&format!("error: cannot read `{}`: {e}\n", out.display()));
                return ExitStatus::Error;
            }
        };
        let label = out.strip_prefix(".").unwrap_or(&out).display().to_string();
        let diffs = write::diff(&on_disk, tree, &label);
        if diffs.is_empty() {
            if !global.quiet && global.format == OutputFormat::Human {
                stderr(&format!(
                    "mlc: `{}` is up to date ({} files)\n",
                    out.display(),
                    tree.files.len()
                ));
            }
            return ExitStatus::Success;
        }
        stdout(&diffs.concat());
        stderr(&format!(
            "error: {} file(s) in `{}` differ from what `mlc build` produces; run `mlc build` and commit the result\n",
            diffs.len(),
            out.display()
        ));
        return ExitStatus::Failure;
    }
    if let Err(e) = write::write_tree(&out, tree) {
        stderr(&format!("error: cannot write `{}`: {e}\n", out.display()));
        return ExitStatus::Error;
    }
    if !global.quiet && global.format == OutputFormat::Human {
        stderr(&format!(
            "mlc: wrote {} files to `{}`\n",
            tree.files.len(),
            out.display()
        ));
    }
    // The process exits next: freeing a fleet's objects one by one would only cost time.
    std::mem::forget(built);
    ExitStatus::Success
}

/// The group/versions the objects need that `list` (Argo CD's `KUBE_API_VERSIONS`) lacks,
/// with the kinds that need each. Core and built-in groups are not checked.
fn missing_apis(list: &str, objects: &[crate::render::Rendered]) -> Vec<(String, Vec<String>)> {
    let served: std::collections::BTreeSet<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut needed: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        std::collections::BTreeMap::new();
    for o in objects {
        let api = o.api_version.as_str();
        if api.starts_with("serving.kserve.io/") || api.starts_with("keda.sh/") {
            needed
                .entry(api.to_owned())
                .or_default()
                .insert(o.kind.clone());
        }
    }
    needed
        .into_iter()
        .filter(|(api, kinds)| {
            !served.contains(api.as_str())
                || kinds.iter().any(|k| {
                    !served.contains(format!("{api}/{k}").as_str())
                        && served.iter().any(|s| s.starts_with(&format!("{api}/")))
                })
        })
        .map(|(api, kinds)| (api, kinds.into_iter().map(|k| format!("`{k}`")).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{Object, Scope};
    use crate::source::{FileId, Span};

    fn object(api: &str, kind: &str) -> crate::render::Rendered {
        let object = Object {
            scope: Scope::Env("prod".into()),
            file: "m/x.yaml".into(),
            value: serde_json::json!({"apiVersion": api, "kind": kind, "metadata": {"name": "m"}}),
            span: Span::new(FileId(0), 0, 0),
            origin: crate::model::plan::Origin::default(),
        };
        crate::render::Rendered::of(object, false)
    }

    #[test]
    fn missing_kserve_and_keda_apis_are_reported() {
        let objects = [
            object("serving.kserve.io/v1beta1", "InferenceService"),
            object("keda.sh/v1alpha1", "ScaledObject"),
            object("apps/v1", "Deployment"),
        ];
        let all = "apps/v1,apps/v1/Deployment,keda.sh/v1alpha1,keda.sh/v1alpha1/ScaledObject,serving.kserve.io/v1beta1,serving.kserve.io/v1beta1/InferenceService";
        assert!(missing_apis(all, &objects).is_empty());
        let missing = missing_apis(
            "apps/v1,apps/v1/Deployment,keda.sh/v1alpha1,keda.sh/v1alpha1/ScaledObject",
            &objects,
        );
        assert_eq!(
            missing,
            vec![(
                "serving.kserve.io/v1beta1".to_owned(),
                vec!["`InferenceService`".to_owned()]
            )]
        );
        let kind_missing = missing_apis(
            "keda.sh/v1alpha1,keda.sh/v1alpha1/TriggerAuthentication,serving.kserve.io/v1beta1",
            &objects,
        );
        assert_eq!(kind_missing.len(), 1, "{kind_missing:?}");
    }
}
