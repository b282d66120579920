//! `mlc validate`: check any tree of Kubernetes, KServe and KEDA manifests against schemas.

use std::path::PathBuf;

use clap::Args;

use super::output::{ExitStatus, GlobalArgs, OutputFormat, print_diagnostics, stderr};
use crate::schema::{ValidateOptions, validate_paths};

/// Validate YAML or JSON manifests against the Kubernetes, KServe and KEDA schemas, offline.
///
/// Multi-document files and `kind: List` are checked object by object; `kustomization.yaml`
/// files as kustomize reads them; the files mlc writes beside its manifests that are not
/// manifests (`mlc.lock`, `images/**`) are skipped with a note. Each error gives the
/// file:line:column of the field, its JSON pointer and what was expected. With the global
/// `--format json` or `--format sarif` (a SARIF 2.1.0 log for code scanning), the report goes to
/// stdout. Example: `mlc validate out/ --crd crds/ --strict`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Manifest files, or directories walked for `*.yaml`, `*.yml` and `*.json`.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// A CustomResourceDefinition file or directory; its schemas replace the embedded ones.
    #[arg(long = "crd", value_name = "FILE|DIR")]
    pub crds: Vec<PathBuf>,
    /// Reject fields that a CRD schema would prune silently (unknown fields).
    #[arg(long)]
    pub strict: bool,
    /// Skip objects whose apiVersion and kind have no schema instead of failing them.
    #[arg(long)]
    pub skip_unknown: bool,
}

/// Runs `mlc validate`.
pub(crate) fn run(args: &ValidateArgs, global: &GlobalArgs) -> ExitStatus {
    let report = validate_paths(&ValidateOptions {
        paths: args.paths.clone(),
        crds: args.crds.clone(),
        strict: args.strict,
        skip_unknown: args.skip_unknown,
    });
    print_diagnostics(&report.diagnostics, &report.sources, global);
    if !global.quiet && global.format == OutputFormat::Human && !report.setup_failed {
        if !report.not_manifests.is_empty() {
            stderr(&format!(
                "note: skipped {} file(s) that mlc writes beside its manifests and that are not manifests: {}\n",
                report.not_manifests.len(),
                report.not_manifests.join(", ")
            ));
        }
        let skipped = if report.skipped > 0 {
            format!(", {} skipped", report.skipped)
        } else {
            String::new()
        };
        let unparsed = if report.unparsed > 0 {
            format!("; {} file(s) not parsed", report.unparsed)
        } else {
            String::new()
        };
        stderr(&format!(
            "mlc: {} object(s) in {} file(s): {} valid, {} invalid{skipped}{unparsed}\n",
            report.objects,
            report.files,
            report.objects - report.invalid.min(report.objects) - report.skipped,
            report.invalid,
        ));
    }
    if report.setup_failed {
        ExitStatus::Error
    } else if report.diagnostics.has_errors() {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
