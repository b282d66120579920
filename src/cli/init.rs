//! `mlc init`: a minimal, commented project to start from.

use std::path::{Path, PathBuf};

use clap::Args;

use super::output::{ExitStatus, GlobalArgs, print_diagnostics, stdout};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::SourceMap;

/// Write a minimal, commented project (`mlc.kdl`) that `mlc check` accepts.
///
/// Example: `mlc init fraud && mlc check fraud && mlc build fraud`. Refuses to overwrite an
/// existing `mlc.kdl` (E0003).
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Directory of the new project (created when missing).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// Project name (a DNS-1035 label); default: derived from the directory name.
    #[arg(long)]
    pub(crate) name: Option<String>,
}

/// Runs `mlc init`.
pub(crate) fn run(args: &InitArgs, global: &GlobalArgs) -> ExitStatus {
    let target = args.dir.join("mlc.kdl");
    let fail = |d: Diagnostic| {
        let mut diags = Diagnostics::default();
        diags.push(d);
        print_diagnostics(&diags, &SourceMap::default(), global);
        ExitStatus::Failure
    };
    if target.exists() {
        return fail(
            Diagnostic::error("E0003", format!("`{}` already exists", target.display()))
                .help("edit the existing project, or give `mlc init` another directory"),
        );
    }
    let name = match &args.name {
        Some(name) if is_dns_label(name) => name.clone(),
        Some(name) => {
            return fail(
                Diagnostic::error(
                    "E0003",
                    format!("project name `{name}` is not a DNS-1035 label"),
                )
                .help("use lowercase letters, digits and `-`, starting with a letter, at most 63 characters"),
            );
        }
        None => name_from_dir(&args.dir),
    };
    if let Err(e) = write_new(&args.dir, &target, &template(&name)) {
        return fail(
            Diagnostic::error("E0001", format!("cannot write `{}`: {e}", target.display()))
                .help("check that the directory is writable"),
        );
    }
    if !global.quiet {
        stdout(&format!(
            "created {} (project `{name}`)\nnext: mlc check {dir} && mlc build {dir}\n",
            target.display(),
            dir = args.dir.display()
        ));
    }
    ExitStatus::Success
}

/// Writes `text` to `target` through a temporary file in the same directory, so that an
/// interrupted init leaves no half-written `mlc.kdl`.
fn write_new(dir: &Path, target: &Path, text: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(".mlc.kdl.init");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, target).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn is_dns_label(s: &str) -> bool {
    s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The directory's name made into a DNS-1035 label, or `my-project`.
fn name_from_dir(dir: &Path) -> String {
    let base = std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let mapped: String = base
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let head: String = mapped
        .trim_start_matches(|c: char| !c.is_ascii_lowercase())
        .chars()
        .take(63)
        .collect();
    let name = head.trim_end_matches('-').to_owned();
    if is_dns_label(&name) {
        name
    } else {
        "my-project".to_owned()
    }
}

fn template(name: &str) -> String {
    include_str!("init/mlc.kdl").replace("PROJECT_NAME", name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_a_dns_label_from_the_directory() {
        assert_eq!(
            name_from_dir(Path::new("/nonexistent/Fraud_Models")),
            "fraud-models"
        );
        assert_eq!(name_from_dir(Path::new("/nonexistent/42")), "my-project");
        assert!(is_dns_label("a-1"));
        assert!(!is_dns_label("1a"));
        assert!(!is_dns_label("a-"));
    }
}
